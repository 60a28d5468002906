package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ScramTest {
    // RFC 7677 section 3: the SCRAM-SHA-256 exchange for user "user", password "pencil"
    private static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private static final String CLIENT_FIRST_BARE = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=" + SALT + ",i=4096";
    private static final String CLIENT_FINAL_WITHOUT_PROOF = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    @Test
    void verifierHasPostgresStoredForm() {
        String v = Scram.verifier("pencil");
        assertThat(v).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}");
        assertThat(v).doesNotContain("pencil");
        assertThat(Scram.verifier("pencil")).isNotEqualTo(v); // fresh salt each time
    }

    @Test
    void rfc7677VectorGivesTheKnownStoredKeyAndServerKey() {
        // StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"),
        // worked out independently (Python hashlib) from the RFC's password, salt and iteration count
        String v = Scram.verifier("pencil", Base64.getDecoder().decode(SALT), 4096);
        assertThat(v).isEqualTo("SCRAM-SHA-256$4096:" + SALT + "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
                + ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
    }

    @Test
    void aServerHoldingOurVerifierAcceptsTheRfc7677ProofAndSendsItsSignature() throws Exception {
        // what PostgreSQL does with the stored verifier during the RFC's exchange
        String v = Scram.verifier("pencil", Base64.getDecoder().decode(SALT), 4096);
        String[] keys = v.substring(v.lastIndexOf('$') + 1).split(":");
        byte[] storedKey = Base64.getDecoder().decode(keys[0]);
        byte[] serverKey = Base64.getDecoder().decode(keys[1]);
        String authMessage = CLIENT_FIRST_BARE + "," + SERVER_FIRST + "," + CLIENT_FINAL_WITHOUT_PROOF;

        assertThat(Base64.getEncoder().encodeToString(hmac(serverKey, authMessage))).isEqualTo(SERVER_SIGNATURE);

        byte[] clientSignature = hmac(storedKey, authMessage);
        byte[] proof = Base64.getDecoder().decode(CLIENT_PROOF);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(storedKey);
    }

    @Test
    void anotherPasswordDoesNotVerifyTheRfcProof() throws Exception {
        String v = Scram.verifier("pencil2", Base64.getDecoder().decode(SALT), 4096);
        byte[] serverKey = Base64.getDecoder().decode(v.substring(v.lastIndexOf(':') + 1));
        String authMessage = CLIENT_FIRST_BARE + "," + SERVER_FIRST + "," + CLIENT_FINAL_WITHOUT_PROOF;
        assertThat(Base64.getEncoder().encodeToString(hmac(serverKey, authMessage))).isNotEqualTo(SERVER_SIGNATURE);
    }

    @Test
    void generatedPasswordsAreLongAndUnambiguous() {
        String p = Scram.generatePassword(32);
        assertThat(p).hasSize(32).matches("[A-HJ-NP-Za-km-z2-9]+");
    }

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
