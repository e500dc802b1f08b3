package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The key of a Kubernetes Secret, in the resource's namespace, that holds a Buildkite API access token. */
public class ApiTokenSecretRef {

    public static final String DEFAULT_KEY = "token";

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Name of a Secret in the same namespace.")
    private String name;

    @Pattern("^[-._a-zA-Z0-9]{1,253}$")
    @JsonPropertyDescription("Key in the Secret's data. Default token.")
    private String key;

    public ApiTokenSecretRef() {
    }

    public ApiTokenSecretRef(String name, String key) {
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

    /** As a reference the token source reads. */
    public SecretKeyRef asSecretKeyRef() {
        return new SecretKeyRef(name, key == null ? DEFAULT_KEY : key);
    }
}
