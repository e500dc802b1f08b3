package io.elasticci.buildkite.token.emulator;

/** STS over the query protocol: GetCallerIdentity. */
final class StsService extends QueryService {

    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    StsService() {
        super(NAMESPACE, "2011-06-15");
        operation("GetCallerIdentity", this::getCallerIdentity);
    }

    @Override
    String name() {
        return "sts";
    }

    private void getCallerIdentity(CallContext ctx, QueryParams in, Xml out) {
        out.element("Arn", AwsEmulator.callerArn(ctx.account()))
                .element("UserId", AwsEmulator.userId(ctx.accessKeyId()))
                .element("Account", ctx.account());
    }
}
