package dev.pgbox.backup;

import dev.pgbox.config.Scram;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;

/** The repository's cipher key: with BACKUP_ENCRYPT=on, generated once into .env.secrets (0600) and kept there. */
public final class CipherKey {
    private CipherKey() {
    }

    /** The settings with a cipher key when encryption is on (a new one is generated and saved the first time). */
    public static Settings ensure(Settings s) {
        if (!"on".equals(s.get(Setting.BACKUP_ENCRYPT)) || s.isSet(Setting.BACKUP_CIPHER_PASS)) {
            return s;
        }
        String key = Scram.generatePassword(48);
        Secrets.put(s.projectDir().resolve(Settings.SECRETS_FILE), Setting.BACKUP_CIPHER_PASS.name(), key);
        return s.with(Setting.BACKUP_CIPHER_PASS, key, Settings.SECRETS_FILE + " (generated)");
    }
}
