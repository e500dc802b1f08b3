package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire answers themselves, for requests the SDK would never send. */
class WireProtocolEmulatorTest extends EmulatorTestSupport {

    private static final String AUTH = "AWS4-HMAC-SHA256 Credential=" + AwsEmulator.ACCESS_KEY
            + "/20250101/us-east-1/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> json(String service, String target, String body, boolean signed)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.endpoint() + "/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", target)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signed) {
            b.header("Authorization", AUTH.formatted(service));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> query(String form, boolean signed) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (signed) {
            b.header("Authorization", AUTH.formatted("sts"));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void jsonErrors() throws Exception {
        HttpResponse<String> unknown = json("secretsmanager", "secretsmanager.Bogus", "{}", true);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.headers().firstValue("x-amzn-ErrorType")).contains("UnknownOperationException");
        assertThat(unknown.headers().firstValue("Content-Type")).contains("application/x-amz-json-1.1");

        HttpResponse<String> badJson = json("kms", "TrentService.DescribeKey", "{not json", true);
        JsonNode body = JsonProtocol.MAPPER.readTree(badJson.body());
        assertThat(body.get("__type").asText()).isEqualTo("SerializationException");

        HttpResponse<String> missing = json("secretsmanager", "secretsmanager.DescribeSecret", "{}", true);
        body = JsonProtocol.MAPPER.readTree(missing.body());
        assertThat(body.get("__type").asText()).isEqualTo("ValidationException");
        assertThat(body.get("message").asText()).contains("'secretId'");

        HttpResponse<String> unsigned = json("secretsmanager", "secretsmanager.ListSecrets", "{}", false);
        assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).contains("MissingAuthenticationTokenException");
        assertThat(unsigned.headers().firstValue("x-amzn-RequestId")).isPresent();
    }

    @Test
    void queryAnswersAndErrors() throws Exception {
        HttpResponse<String> ok = query("Action=GetCallerIdentity&Version=2011-06-15", true);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">")
                .contains("<GetCallerIdentityResult>").contains("<Account>123456789012</Account>")
                .contains("<ResponseMetadata><RequestId>");

        HttpResponse<String> bogus = query("Action=Bogus&Version=2011-06-15", true);
        assertThat(bogus.statusCode()).isEqualTo(400);
        assertThat(bogus.body()).contains("<ErrorResponse").contains("<Type>Sender</Type>")
                .contains("<Code>InvalidAction</Code>").contains("<RequestId>");

        HttpResponse<String> unsigned = query("Action=GetCallerIdentity&Version=2011-06-15", false);
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.body()).contains("<Code>MissingAuthenticationToken</Code>");
    }

    @Test
    void unknownServiceInTheCredentialScope() throws Exception {
        HttpResponse<String> r = json("dynamodb", "DynamoDB_20120810.ListTables", "{}", true);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(emulator.calls().calls("dynamodb", null)).singleElement()
                .satisfies(c -> assertThat(c.errorCode()).isEqualTo("UnknownServiceException"));
    }
}
