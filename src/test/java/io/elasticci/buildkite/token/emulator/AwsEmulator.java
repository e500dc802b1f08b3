package io.elasticci.buildkite.token.emulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process AWS emulator on 127.0.0.1 that speaks the wire protocols the AWS SDK for Java v2 uses, so real SDK
 * clients reach it through {@code endpointOverride(endpoint())}.
 *
 * <p>A request is routed by the SigV4 credential scope of its {@code Authorization} header
 * ({@code Credential=AKID/DATE/REGION/SERVICE/aws4_request}): the service picks the handler, the region the regional
 * state, and the access key ID the account (see {@link #registerAccount}). Signatures are not verified.
 *
 * <p>Request and response bodies are never logged or stored: the {@link CallLog} holds only who called what.
 */
public final class AwsEmulator implements AutoCloseable {

    public static final String ACCESS_KEY = "AKIAEMULATOR000001";
    public static final String SECRET_KEY = "emulator-secret";
    public static final String DEFAULT_ACCOUNT = "123456789012";

    private static final Pattern CREDENTIAL =
            Pattern.compile("Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request");

    private record Scope(String accessKeyId, String region, String service) {
    }

    private record AccountState(KmsState kms, SecretsManagerState secretsManager) {
    }

    private final LoopbackServer server;
    private final MutableClock clock;
    private final Faults faults = new Faults();
    private final RateLimits rateLimits = new RateLimits();
    private final CallLog calls = new CallLog();
    private final Map<String, String> accounts = new ConcurrentHashMap<>();
    /** Temporary credentials from AssumeRole, by access key ID. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /** Credentials AssumeRole issued: the role's account, the assumed-role ARN, and when they expire. */
    record Session(String account, String arn, java.time.Instant expires) {
    }
    private final Map<String, AccountState> state = new ConcurrentHashMap<>();
    private final IamDirectory iam;
    private final Map<String, CloudFormationState> cloudFormation = new ConcurrentHashMap<>();
    private final Map<String, AwsService> services = new LinkedHashMap<>();
    private final Map<String, AutoScalingState> autoScaling = new ConcurrentHashMap<>();

    private AwsEmulator(MutableClock clock) {
        this.clock = clock;
        this.iam = new IamDirectory(clock);
        for (AwsService service : List.of(new SecretsManagerService(), new KmsService(), new StsService())) {
            services.put(service.name(), service);
        }
        List.of(new IamService(), new CloudFormationService()).forEach(s -> services.put(s.name(), s));
        accounts.put(ACCESS_KEY, DEFAULT_ACCOUNT);
        List.of(new AutoScalingService(), new Ec2Service()).forEach(s -> services.put(s.name(), s));
        server = LoopbackServer.start("aws-emulator", this::handle);
    }

    /** Starts an emulator on a free port of 127.0.0.1. */
    public static AwsEmulator start() {
        return start(new MutableClock());
    }

    /** Starts an emulator on a free port of 127.0.0.1 that keeps time by this clock. */
    public static AwsEmulator start(MutableClock clock) {
        return new AwsEmulator(clock);
    }

    /** {@code http://127.0.0.1:PORT}, for {@code endpointOverride}. */
    public URI endpoint() {
        return server.endpoint();
    }

    /** Requests signed with this access key ID act in that account. */
    public void registerAccount(String accessKeyId, String accountId) {
        accounts.put(Objects.requireNonNull(accessKeyId, "accessKeyId"), Objects.requireNonNull(accountId, "accountId"));
    }

    public MutableClock clock() {
        return clock;
    }

    public Faults faults() {
        return faults;
    }

    public CallLog calls() {
        return calls;
    }

    /** AWS's request quotas, none until set: a call beyond its quota is answered with the service's throttling error. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    /** IAM state of an account (created empty on first use; IAM is global, so no region). */
    public IamState iam(String accountId) {
        return iam.account(accountId);
    }

    /** CloudFormation stacks of an account, every region (created empty on first use). */
    public CloudFormationState cloudFormation(String accountId) {
        return cloudFormation.computeIfAbsent(Objects.requireNonNull(accountId, "accountId"),
                a -> new CloudFormationState(a, clock, iam(a)));
    }

    /** KMS state of an account (created empty on first use). */
    public KmsState kms(String accountId) {
        return account(accountId).kms();
    }

    /** Secrets Manager state of an account (created empty on first use). */
    public SecretsManagerState secretsManager(String accountId) {
        return account(accountId).secretsManager();
    }

    /** Auto Scaling groups, instance refreshes and (through them) EC2 instances of an account (created empty). */
    public AutoScalingState autoScaling(String accountId) {
        return autoScaling.computeIfAbsent(Objects.requireNonNull(accountId, "accountId"),
                a -> new AutoScalingState(a, clock));
    }

    /**
     * Clears all state (every account's keys and secrets, replication delay and injected replication failures),
     * the faults and the call log, and puts the clock back to {@link MutableClock#START}. The port, the registered
     * access keys and the state objects themselves stay: references from {@link #kms} and {@link #secretsManager}
     * taken before a reset remain valid.
     */
    /**
     * Makes the Auto Scaling groups of this account's Elastic CI Stack fixtures real: a stack's group is created with
     * {@code instances} instances, replaced with fresh instances when CloudFormation replaces it, deleted with it.
     * Opt-in, since tests that create groups themselves under a stack's group name would collide.
     */
    public void linkStacksToAutoScaling(String accountId, int instances) {
        AutoScalingState groups = autoScaling(accountId);
        cloudFormation(accountId).onAutoScalingGroupChange(change -> {
            if (change.created()) {
                groups.createGroup(change.region(), change.newName(), instances);
            } else if (change.newName() == null) {
                groups.deleteGroup(change.region(), change.oldName());
            } else {
                groups.replaceGroup(change.region(), change.oldName(), change.newName());
            }
        });
    }

    public void reset() {
        state.values().forEach(a -> {
            a.secretsManager().clear();
            a.kms().clear();
        });
        faults.clear();
        rateLimits.clear();
        calls.clear();
        iam.clear();
        cloudFormation.values().forEach(CloudFormationState::clear);
        clock.set(MutableClock.START);
        autoScaling.values().forEach(AutoScalingState::clear);
    }

    @Override
    public void close() {
        server.close();
    }

    /** Issues temporary credentials acting in {@code account} as {@code arn} until {@code expires}. */
    String issueSession(String accessKeyId, String account, String arn, java.time.Instant expires) {
        sessions.put(accessKeyId, new Session(account, arn, expires));
        return accessKeyId;
    }

    /** Who signed with this access key: an assumed role's session, or the account's emulator user. */
    String callerArn(String accessKeyId, String account) {
        Session session = sessions.get(accessKeyId);
        return session != null ? session.arn() : callerArn(account);
    }

    java.time.Instant now() {
        return clock.instant();
    }

    static String callerArn(String account) {
        return "arn:aws:iam::" + account + ":user/emulator";
    }

    static String userId(String accessKeyId) {
        return accessKeyId.startsWith("AKIA") ? "AIDA" + accessKeyId.substring(4) : "AIDA" + accessKeyId;
    }

    private AccountState account(String accountId) {
        Objects.requireNonNull(accountId, "accountId");
        return state.computeIfAbsent(accountId, a -> {
            KmsState kms = new KmsState(a, clock);
            return new AccountState(kms, new SecretsManagerState(a, kms, clock, iam));
        });
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    headers.put(k, v.get(0));
                }
            });
            URI uri = exchange.getRequestURI();
            RawRequest request = new RawRequest(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                    headers, body);
            RawResponse response = dispatch(request);
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }

    private RawResponse dispatch(RawRequest request) {
        long start = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        Scope scope = scope(request);
        AwsService service = scope != null ? services.get(scope.service()) : guessService(request);
        String region = scope == null ? null : scope.region();
        if (service == null) {
            AwsError error = AwsError.of("UnknownServiceException", "The emulator has no service "
                    + (scope == null ? "for this request" : scope.service()) + ".");
            calls.record(new CallLog.Call(scope == null ? "unknown" : scope.service(), "Unknown", region, null,
                    false, error.status(), error.code()));
            return JsonProtocol.error(error, requestId);
        }
        String operation;
        try {
            operation = service.operationOf(request);
        } catch (AwsError e) {
            calls.record(new CallLog.Call(service.name(), "Unknown", region, null, false, e.status(), e.code()));
            return service.errorResponse(e, requestId);
        }
        String account = scope == null ? null : accounts.get(scope.accessKeyId());
        Session session = scope == null ? null : sessions.get(scope.accessKeyId());
        if (account == null && session != null) {
            account = session.account();
        }
        AwsError error = null;
        RawResponse response;
        try {
            faults.latencyIfAny(service.name(), operation, region).ifPresent(AwsEmulator::sleep);
            if (scope == null) {
                throw service.missingAuthentication();
            }
            if (account == null) {
                throw service.unknownAccessKey();
            }
            if (session != null && !clock.instant().isBefore(session.expires())) {
                throw service.expiredToken();
            }
            applyFaults(service, operation, region);
            if (!rateLimits.admit(service.name(), operation, region, account)) {
                throw service.throttled("Rate exceeded");
            }
            response = service.invoke(new CallContext(this, service.name(), operation, region, account,
                    scope.accessKeyId(), requestId), request);
            if (Operations.isWrite(service.name(), operation) && response.status() < 300 && faults.writeDone()) {
                throw new AwsError(service.internalErrorCode(), 500, "The answer was lost.");
            }
        } catch (AwsError e) {
            error = e;
            response = service.errorResponse(e, requestId);
        } catch (RuntimeException e) {
            // an emulator bug: answer like an AWS internal error; the stack trace holds no request data
            System.err.println("AWS emulator: " + service.name() + "." + operation + " failed");
            e.printStackTrace();
            error = new AwsError(service.internalErrorCode(), 500, "Internal error in the emulator.");
            response = service.errorResponse(error, requestId);
        }
        calls.record(new CallLog.Call(service.name(), operation, region, account,
                Operations.isWrite(service.name(), operation), response.status(),
                error == null ? null : error.code(), scope == null ? null : scope.accessKeyId()), start,
                request.header("amz-sdk-invocation-id"), attempt(request.header("amz-sdk-request")));
        return response;
    }

    /** The attempt number in the SDK's "attempt=2; max=3" header; 0 when absent or unreadable. */
    static int attempt(String sdkRequest) {
        if (sdkRequest != null) {
            for (String part : sdkRequest.split(";")) {
                String[] pair = part.trim().split("=", 2);
                if (pair.length == 2 && pair[0].equals("attempt") && pair[1].trim().matches("\\d{1,9}")) {
                    return Integer.parseInt(pair[1].trim());
                }
            }
        }
        return 0;
    }

    private void applyFaults(AwsService service, String operation, String region) {
        Faults.Decision decision = faults.decide(service.name(), operation, region);
        switch (decision.kind()) {
            case OUTAGE -> throw new AwsError(decision.code(), decision.status(), decision.message());
            case INJECTED -> throw service.error(decision.code(), decision.message());
            case THROTTLE -> throw service.throttled(decision.message());
            case SERVER_ERROR -> throw new AwsError(service.internalErrorCode(), 500, decision.message());
            case NONE -> { }
        }
    }

    private static Scope scope(RawRequest request) {
        String authorization = request.header("authorization");
        String credential = authorization;
        if (credential == null) {
            // presigned requests carry the scope in the query string
            String fromQuery = request.formParams().get("X-Amz-Credential");
            credential = fromQuery == null ? null : "Credential=" + fromQuery;
        }
        if (credential == null) {
            return null;
        }
        Matcher m = CREDENTIAL.matcher(credential);
        return m.find() ? new Scope(m.group(1), m.group(3), m.group(4)) : null;
    }

    private AwsService guessService(RawRequest request) {
        String target = request.header("x-amz-target");
        if (target != null) {
            if (target.startsWith("secretsmanager.")) {
                return services.get("secretsmanager");
            }
            if (target.startsWith("TrentService.")) {
                return services.get("kms");
            }
            return null;
        }
        return Optional.ofNullable(request.formParams().get("Action")).map(a -> services.get("sts")).orElse(null);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "AwsEmulator[" + endpoint() + "]";
    }
}
