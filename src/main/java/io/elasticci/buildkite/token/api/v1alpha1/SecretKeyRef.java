package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a Kubernetes Secret in the resource's namespace. */
public class SecretKeyRef {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Name of a Secret in the same namespace.")
    private String name;

    @Default("token")
    @Pattern("^[-._a-zA-Z0-9]{1,253}$")
    @JsonPropertyDescription("Key in the Secret's data whose value is the agent token. Default token.")
    private String key = "token";

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
