package io.elasticci.buildkite.token.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** STS over the query protocol: GetCallerIdentity, and AssumeRole across the emulator's accounts. */
final class StsService extends QueryService {

    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    StsService() {
        super(NAMESPACE, "2011-06-15");
        operation("GetCallerIdentity", this::getCallerIdentity);
        operation("AssumeRole", this::assumeRole);
    }

    @Override
    String name() {
        return "sts";
    }

    private void getCallerIdentity(CallContext ctx, QueryParams in, Xml out) {
        out.element("Arn", ctx.emulator().callerArn(ctx.accessKeyId(), ctx.account()))
                .element("UserId", AwsEmulator.userId(ctx.accessKeyId()))
                .element("Account", ctx.account());
    }

    /**
     * Checks the role's trust policy: an Allow for sts:AssumeRole naming the caller (its ARN, or its account's root)
     * or {@code *}, whose conditions hold for the request's sts:ExternalId. Credentials expire on the emulator's clock.
     */
    private void assumeRole(CallContext ctx, QueryParams in, Xml out) {
        String roleArn = in.requiredString("RoleArn");
        String session = in.requiredString("RoleSessionName");
        Optional<String> externalId = Optional.ofNullable(in.string("ExternalId"));
        int seconds = Optional.ofNullable(in.integer("DurationSeconds")).orElse(3600);
        if (seconds < 900 || seconds > 43200) {
            throw error("ValidationError", "1 validation error detected: Value '" + seconds
                    + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        }
        String caller = ctx.emulator().callerArn(ctx.accessKeyId(), ctx.account());
        String[] parts = roleArn.split(":", 6);
        String denied = "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn;
        if (parts.length < 6 || !parts[5].startsWith("role/")) {
            throw error("ValidationError", "Invalid RoleArn: " + roleArn);
        }
        String account = parts[4];
        String roleName = parts[5].substring(parts[5].lastIndexOf('/') + 1);
        IamState.RoleInfo role = ctx.emulator().iam(account).role(roleName).orElseThrow(() -> error("AccessDenied",
                denied));
        PolicyDocument trust = PolicyDocument.parse(role.assumeRolePolicyDocument(), PolicyDocument.Kind.RESOURCE);
        String callerRoot = "arn:aws:iam::" + ctx.account() + ":root";
        Map<String, List<String>> context = new java.util.HashMap<>();
        externalId.ifPresent(id -> context.put("sts:externalid", List.of(id)));
        PolicyDocument.Decision decision = PolicyDocument.evaluate(Map.of("trust", trust), "sts:AssumeRole", roleArn,
                context, s -> s.principals("AWS").stream().anyMatch(p -> p.equals("*") || p.equals(caller)
                        || p.equals(callerRoot) || p.equals(ctx.account())));
        if (!decision.allowed()) {
            throw error("AccessDenied", denied);
        }
        Instant expires = ctx.emulator().now().plus(Duration.ofSeconds(seconds));
        String accessKeyId = "ASIA" + random(16);
        String assumedArn = "arn:aws:sts::" + account + ":assumed-role/" + role.name() + "/" + session;
        ctx.emulator().issueSession(accessKeyId, account, assumedArn, expires);
        out.open("Credentials")
                .element("AccessKeyId", accessKeyId)
                .element("SecretAccessKey", random(40))
                .element("SessionToken", random(64))
                .element("Expiration", expires.toString())
                .close("Credentials")
                .open("AssumedRoleUser")
                .element("Arn", assumedArn)
                .element("AssumedRoleId", role.roleId() + ":" + session)
                .close("AssumedRoleUser");
    }

    private static String random(int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(ALPHABET.charAt(ThreadLocalRandom.current().nextInt(ALPHABET.length())));
        }
        return out.toString();
    }
}
