package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelpTextTest {
    @Test
    void sourceLinesBecomeParagraphsButListsAndExamplesKeepTheirLines() {
        String[] in = {"Lints migrations for statements that", "lock a live app.", "Accept a finding with a comment:",
            "  -- pgbox-lint: accept <rule> because <reason>", "Rules: docs/lint.md. Exit code 0 or", "11."};
        assertThat(HelpText.paragraphs(in)).containsExactly(
                "Lints migrations for statements that lock a live app. Accept a finding with a comment:", "  -- pgbox-lint: accept <rule> because <reason>",
                "Rules: docs/lint.md. Exit code 0 or 11.");
    }
}
