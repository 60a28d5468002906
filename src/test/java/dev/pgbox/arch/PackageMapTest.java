package dev.pgbox.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package map, as rules that fail the build when code crosses it:
 * <pre>
 *   cli, agent            front ends: parse, call a service, render its model
 *     api                 the agent's HTTP API: parse JSON, call a service (memory), render its model
 *     -> service, apps, backup, security        workflows that return models
 *       -> component, cluster (Instance)         what runs on the machine
 *         -> sql (the SQL door), exec (processes), config, install, tune
 * </pre>
 * No package cycles; the front ends never start a process or send SQL themselves; the bottom layer
 * knows nothing above it.
 */
class PackageMapTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pgbox");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.pgbox.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void commandsNeitherRunProcessesNorSendSql() {
        noClasses().that().resideInAPackage("dev.pgbox.cli..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.pgbox.exec.ProcessRunner")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pgbox.exec.Command")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Runtime")
                .orShould().dependOnClassesThat().resideInAPackage("dev.pgbox.sql..")
                .orShould().dependOnClassesThat().resideInAPackage("java.sql..")
                .because("cli classes parse, call a service and render its model; the service runs processes and SQL")
                .check(MAIN);
    }

    @Test
    void theHttpApiNeitherRunsProcessesNorSendsSql() {
        noClasses().that().resideInAPackage("dev.pgbox.api..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.pgbox.exec.ProcessRunner")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pgbox.exec.Command")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
                .orShould().dependOnClassesThat().resideInAPackage("dev.pgbox.sql..")
                .orShould().dependOnClassesThat().resideInAPackage("java.sql..")
                .because("the API parses JSON, calls the memory service and renders its model; the service's sessions send SQL")
                .check(MAIN);
    }

    @Test
    void onlyTheAgentAndStatusKnowTheHttpApi() {
        noClasses().that().resideOutsideOfPackages("dev.pgbox.api..", "dev.pgbox.agent..", "dev.pgbox.service..", "dev.pgbox.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.pgbox.api..")
                .check(MAIN);
    }

    @Test
    void theBottomLayerKnowsNothingAboveIt() {
        noClasses().that().resideInAnyPackage("dev.pgbox.sql..", "dev.pgbox.exec..", "dev.pgbox.config..", "dev.pgbox.install..",
                        "dev.pgbox.tune..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pgbox.cluster..", "dev.pgbox.component..",
                        "dev.pgbox.service..", "dev.pgbox.apps..", "dev.pgbox.backup..", "dev.pgbox.security..",
                        "dev.pgbox.cli..", "dev.pgbox.agent..", "dev.pgbox.api..")
                .check(MAIN);
    }

    @Test
    void componentsAndTheInstanceNeverCallServicesOrFrontEnds() {
        noClasses().that().resideInAnyPackage("dev.pgbox.cluster..", "dev.pgbox.component..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pgbox.service..", "dev.pgbox.cli..", "dev.pgbox.agent..",
                        "dev.pgbox.apps..", "dev.pgbox.security..", "dev.pgbox.api..")
                .check(MAIN);
    }

    @Test
    void onlyTheFrontEndsKnowTheFrontEnds() {
        noClasses().that().resideOutsideOfPackages("dev.pgbox.cli..", "dev.pgbox.agent..")
                .and().doNotHaveFullyQualifiedName("dev.pgbox.Main")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pgbox.cli..", "dev.pgbox.agent..")
                .check(MAIN);
    }
}
