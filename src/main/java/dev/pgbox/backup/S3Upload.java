package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Uploads a dump set to S3 (or any S3-compatible store) with AWS Signature Version 4 PUTs over
 * HTTPS, using the BACKUP_S3_* settings. Objects up to 5 GB each (single PUT).
 */
public final class S3Upload {
    private static final long MAX_SINGLE_PUT = 5L * 1024 * 1024 * 1024;
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Settings settings;

    public S3Upload(Settings settings) {
        this.settings = settings;
        if (!settings.isSet(Setting.BACKUP_S3_ENDPOINT) || !settings.isSet(Setting.BACKUP_S3_KEY) || !settings.isSet(Setting.BACKUP_S3_KEY_SECRET)) {
            throw new PgboxException(ErrorKind.CONFIG, "an s3:// destination needs the S3 settings",
                    "BACKUP_S3_ENDPOINT and BACKUP_S3_KEY (and BACKUP_S3_KEY_SECRET in .env.secrets) are not all set",
                    "set them in .env.dev / .env.secrets");
        }
    }

    /** Uploads every file under {@code folder} to s3://bucket/prefix/<folder name>/...; returns the s3:// URL of the set. */
    public String upload(Path folder, String dest, Progress progress) {
        String rest = dest.substring("s3://".length());
        String bucket = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        String prefix = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1).replaceAll("/+$", "") : "";
        String base = (prefix.isEmpty() ? "" : prefix + "/") + folder.getFileName();
        HttpClient http = client();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String key = base + "/" + folder.relativize(f).toString().replace('\\', '/');
                long size = Files.size(f);
                if (size > MAX_SINGLE_PUT) {
                    throw new PgboxException(ErrorKind.CONFIG, f.getFileName() + " is larger than 5 GB",
                            "pgbox uploads each file with one PUT, which S3 limits to 5 GB", "use --format=directory, which splits the dump");
                }
                long t0 = System.nanoTime();
                put(http, bucket, key, f);
                double s = (System.nanoTime() - t0) / 1e9;
                progress.detail(String.format(java.util.Locale.ROOT, "uploaded %s (%s, %s/s)", key, Size.human(size),
                        Size.human((long) (size / Math.max(s, 0.001)))));
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot upload " + folder + " to " + dest, e.toString(),
                    "check BACKUP_S3_ENDPOINT and the network");
        }
        return "s3://" + bucket + "/" + base;
    }

    private void put(HttpClient http, String bucket, String key, Path file) throws IOException {
        String endpoint = settings.get(Setting.BACKUP_S3_ENDPOINT);
        boolean pathStyle = "path".equals(settings.get(Setting.BACKUP_S3_URI_STYLE));
        String host = pathStyle ? endpoint : bucket + "." + endpoint;
        String path = "/" + (pathStyle ? bucket + "/" : "") + encodePath(key);
        String payloadHash = sha256Hex(file);
        Instant now = Instant.now();
        String amzDate = AMZ_DATE.format(now);
        String authorization = authorization("PUT", host, path, payloadHash, amzDate, settings.get(Setting.BACKUP_S3_REGION),
                settings.get(Setting.BACKUP_S3_KEY), settings.get(Setting.BACKUP_S3_KEY_SECRET));
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + host + path))
                .timeout(Duration.ofHours(2))
                .header("x-amz-date", amzDate)
                .header("x-amz-content-sha256", payloadHash)
                .header("Authorization", authorization)
                .PUT(HttpRequest.BodyPublishers.ofFile(file))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                String body = r.body() == null ? "" : r.body().replaceAll("\\s+", " ");
                throw new PgboxException(ErrorKind.TOOL_FAILED, "S3 refused " + key + ": HTTP " + r.statusCode(),
                        body.length() > 300 ? body.substring(0, 300) : body,
                        "check the bucket, BACKUP_S3_KEY and BACKUP_S3_KEY_SECRET");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgboxException(ErrorKind.FAILURE, "interrupted while uploading " + key, null, null);
        }
    }

    /** The SigV4 Authorization header for a request whose only signed headers are host, x-amz-content-sha256, x-amz-date. */
    static String authorization(String method, String host, String path, String payloadHash, String amzDate, String region,
                                String keyId, String secret) {
        java.util.SortedMap<String, String> headers = new java.util.TreeMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payloadHash);
        headers.put("x-amz-date", amzDate);
        return authorization(method, path, headers, payloadHash, amzDate, region, keyId, secret);
    }

    /**
     * The SigV4 Authorization header signing every header in {@code headers} (lowercase names, sorted),
     * for a request without a query string.
     */
    static String authorization(String method, String path, java.util.SortedMap<String, String> headers, String payloadHash,
                                String amzDate, String region, String keyId, String secret) {
        String date = amzDate.substring(0, 8);
        StringBuilder canonicalHeaders = new StringBuilder();
        headers.forEach((name, value) -> canonicalHeaders.append(name).append(':').append(value.strip()).append('\n'));
        String signedHeaders = String.join(";", headers.keySet());
        String canonical = method + "\n" + path + "\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payloadHash;
        String scope = date + "/" + region + "/s3/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
        byte[] key = signingKey(secret, date, region, "s3");
        String signature = HexFormat.of().formatHex(hmac(key, toSign));
        return "AWS4-HMAC-SHA256 Credential=" + keyId + "/" + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
    }

    static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, service);
        return hmac(k, "aws4_request");
    }

    /** URI-encodes each path segment as SigV4 wants (RFC 3986 unreserved characters kept, '/' kept). */
    static String encodePath(String key) {
        StringBuilder sb = new StringBuilder();
        for (String seg : key.split("/", -1)) {
            if (sb.length() > 0 || key.startsWith("/")) {
                sb.append('/');
            }
            sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~"));
        }
        return sb.toString();
    }

    private HttpClient client() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20));
        if ("off".equals(settings.get(Setting.BACKUP_S3_VERIFY_TLS))) {
            // only when BACKUP_S3_VERIFY_TLS=off is written out: a test endpoint with a self-signed certificate
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            b.sslContext(trustAll());
        }
        return b.build();
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(Path file) throws IOException {
        return Dumps.sha256(file);
    }

}
