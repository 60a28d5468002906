package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class S3UploadTest {
    @Test
    void signingKeyMatchesAwsDocumentedExample() {
        // AWS's published example of deriving a SigV4 signing key (secret, 20120215, us-east-1, iam)
        byte[] key = S3Upload.signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
        assertThat(HexFormat.of().formatHex(key)).isEqualTo("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    @Test
    void authorizationHeaderNamesScopeAndSignedHeaders() {
        String a = S3Upload.authorization("PUT", "127.0.0.1:9000", "/bucket/a%20b.dump", S3Upload.sha256Hex(new byte[0]),
                "20261122T120000Z", "us-east-1", "AKID", "secret");
        assertThat(a).startsWith("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=").matches(".*Signature=[0-9a-f]{64}");
        assertThat(S3Upload.encodePath("prefix/20261122-120000/a b+c.dump")).isEqualTo("prefix/20261122-120000/a%20b%2Bc.dump");
    }
}
