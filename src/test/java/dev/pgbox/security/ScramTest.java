package dev.pgbox.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramTest {
    @Test
    void verifierHasPostgresStoredForm() {
        String v = Scram.verifier("pencil");
        assertThat(v).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}");
        assertThat(v).doesNotContain("pencil");
        assertThat(Scram.verifier("pencil")).isNotEqualTo(v); // fresh salt each time
    }

    @Test
    void sameSaltGivesSameVerifierAndRfc7677KeysDiffer() {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        String a = Scram.verifier("pencil", salt, 4096);
        assertThat(Scram.verifier("pencil", salt, 4096)).isEqualTo(a);
        assertThat(Scram.verifier("pencil2", salt, 4096)).isNotEqualTo(a);
        // RFC 7677's example: SaltedPassword for "pencil" with this salt gives this ServerKey (derived from its
        // ServerSignature); we check the StoredKey/ServerKey split instead: both 32 bytes, and different
        String[] keys = a.substring(a.lastIndexOf('$') + 1).split(":");
        assertThat(Base64.getDecoder().decode(keys[0])).hasSize(32);
        assertThat(keys[0]).isNotEqualTo(keys[1]);
    }

    @Test
    void generatedPasswordsAreLongAndUnambiguous() {
        String p = Scram.generatePassword(32);
        assertThat(p).hasSize(32).matches("[A-HJ-NP-Za-km-z2-9]+");
    }
}
