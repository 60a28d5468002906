package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class S3UploadTest {
    /** AWS's example credentials from the SigV4 documentation. */
    private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void signingKeyMatchesAwsDocumentedExample() {
        // AWS's published example of deriving a SigV4 signing key (secret, 20120215, us-east-1, iam)
        byte[] key = S3Upload.signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
        assertThat(HexFormat.of().formatHex(key)).isEqualTo("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    @Test
    void getObjectExampleFromTheS3SigV4DocsGivesAwsSignature() {
        // "Example: GET Object" of AWS's "Signature Calculations for the Authorization Header" (S3 API reference):
        // GET /test.txt from examplebucket, Range: bytes=0-9, 20130524T000000Z, us-east-1, empty payload
        SortedMap<String, String> headers = new TreeMap<>();
        headers.put("host", "examplebucket.s3.amazonaws.com");
        headers.put("range", "bytes=0-9");
        headers.put("x-amz-content-sha256", EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");
        String a = S3Upload.authorization("GET", "/test.txt", headers, EMPTY_SHA256, "20130524T000000Z", "us-east-1", KEY_ID, SECRET);
        assertThat(a).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void putSignatureUsesTheSameCanonicalFormAsTheGetExample() {
        // the PUT path signs host, x-amz-content-sha256 and x-amz-date; with those three headers it must give
        // exactly what the general signer gives (which the AWS example above pins down)
        SortedMap<String, String> headers = new TreeMap<>();
        headers.put("host", "examplebucket.s3.amazonaws.com");
        headers.put("x-amz-content-sha256", EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");
        String general = S3Upload.authorization("PUT", "/a%20b.dump", headers, EMPTY_SHA256, "20130524T000000Z", "us-east-1", KEY_ID,
                SECRET);
        String put = S3Upload.authorization("PUT", "examplebucket.s3.amazonaws.com", "/a%20b.dump", EMPTY_SHA256, "20130524T000000Z",
                "us-east-1", KEY_ID, SECRET);
        assertThat(put).isEqualTo(general).contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=");
        // and a different secret gives a different signature
        assertThat(S3Upload.authorization("PUT", "examplebucket.s3.amazonaws.com", "/a%20b.dump", EMPTY_SHA256, "20130524T000000Z",
                "us-east-1", KEY_ID, SECRET + "x")).isNotEqualTo(put);
    }

    @Test
    void pathSegmentsAreEncodedAsSigV4Wants() {
        assertThat(S3Upload.encodePath("prefix/20261122-120000/a b+c.dump")).isEqualTo("prefix/20261122-120000/a%20b%2Bc.dump");
    }
}
