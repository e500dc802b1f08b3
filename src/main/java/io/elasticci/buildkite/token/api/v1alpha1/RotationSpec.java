package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How a new token version reaches the stacks' instances. */
public class RotationSpec {

    @Default("true")
    @JsonPropertyDescription("Start an instance refresh of every stack's Auto Scaling group once a new version is in "
            + "sync in every region (stacks read the token only at boot). Default true.")
    private boolean refreshInstances = true;

    @Default("90")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Percentage of each group that must stay in service during the refresh. Default 90.")
    private int minHealthyPercentage = 90;

    @Default("Wait")
    @JsonPropertyDescription("What the refresh does with scale-in protected (busy) instances: Wait (AWS waits for "
            + "protection to be removed, failing after an hour; never kills a busy agent), Refresh (replaces them: "
            + "busy agents die) or Ignore (skips them: a Successful refresh may replace nothing). Default Wait.")
    private ProtectedInstances scaleInProtectedInstances = ProtectedInstances.Wait;

    @JsonPropertyDescription("Automatic rotation by Secrets Manager with a rotation Lambda; mutually exclusive with "
            + "tokenSecretRef.")
    private AutomaticRotation automatic;

    public boolean isRefreshInstances() {
        return refreshInstances;
    }

    public void setRefreshInstances(boolean refreshInstances) {
        this.refreshInstances = refreshInstances;
    }

    public int getMinHealthyPercentage() {
        return minHealthyPercentage;
    }

    public void setMinHealthyPercentage(int minHealthyPercentage) {
        this.minHealthyPercentage = minHealthyPercentage;
    }

    public ProtectedInstances getScaleInProtectedInstances() {
        return scaleInProtectedInstances;
    }

    public void setScaleInProtectedInstances(ProtectedInstances scaleInProtectedInstances) {
        this.scaleInProtectedInstances = scaleInProtectedInstances;
    }

    public AutomaticRotation getAutomatic() {
        return automatic;
    }

    public void setAutomatic(AutomaticRotation automatic) {
        this.automatic = automatic;
    }

    /** The instance refresh preference for scale-in protected instances. */
    public enum ProtectedInstances {
        Wait,
        Refresh,
        Ignore
    }
}
