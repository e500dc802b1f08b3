package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Secrets Manager's own rotation schedule for the secret. */
public class AutomaticRotation {

    @Required
    @Pattern("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$")
    @Size(max = 2048)
    @JsonPropertyDescription("ARN of the rotation Lambda function (it must create the new Buildkite token).")
    private String lambdaArn;

    @Required
    @Pattern("^(rate\\([0-9]+ (hours?|days?)\\)|cron\\(.+\\))$")
    @Size(max = 256)
    @JsonPropertyDescription("Secrets Manager schedule: rate(N days), rate(N hours) or cron(...).")
    private String scheduleExpression;

    public String getLambdaArn() {
        return lambdaArn;
    }

    public void setLambdaArn(String lambdaArn) {
        this.lambdaArn = lambdaArn;
    }

    public String getScheduleExpression() {
        return scheduleExpression;
    }

    public void setScheduleExpression(String scheduleExpression) {
        this.scheduleExpression = scheduleExpression;
    }
}
