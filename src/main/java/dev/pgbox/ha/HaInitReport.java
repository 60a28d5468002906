package dev.pgbox.ha;

import java.util.List;

/**
 * What {@code pgbox ha init} did.
 *
 * @param alreadyMember true when the project was an HA member before (configs rendered again, processes started if down)
 * @param generatedSecrets the secrets generated now into .env.secrets, by name (never their values)
 */
public record HaInitReport(String cluster, String member, String address, String patroniApi, String etcd, boolean alreadyMember,
                           List<String> generatedSecrets, List<String> actions, String secretsFile, String configFolder) {
}
