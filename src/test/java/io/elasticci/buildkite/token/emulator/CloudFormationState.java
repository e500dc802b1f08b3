package io.elasticci.buildkite.token.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static io.elasticci.buildkite.token.emulator.StackTemplates.Template;

/**
 * CloudFormation stacks of one account, per region: Elastic CI Stacks for AWS of the shapes the operator must
 * support (see {@link StackShape}), their nested scaler stacks, and the IAM roles they create (in
 * {@link IamState}). The templates are modelled in {@link StackTemplates}: parameters with their defaults and
 * constraints, resources, outputs, and the inline policies the templates put on the roles they create.
 *
 * <p>UpdateStack (only with UsePreviousTemplate) puts a stack UPDATE_IN_PROGRESS; once
 * {@link #setUpdateDuration(Duration) the update duration} has passed on the emulator clock (at the next call with
 * the default zero) the update completes: UPDATE_COMPLETE and the resources follow the new parameters; or, after
 * {@link #failNextUpdate}, UPDATE_ROLLBACK_IN_PROGRESS and (after another update duration) UPDATE_ROLLBACK_COMPLETE
 * with the old parameters back. A completed update that changes a parameter feeding the launch template (among them
 * both token parameters) replaces the Auto Scaling group: new physical ID, new {@code AutoScalingGroupName} output,
 * and an {@link AutoScalingGroupChange} to the listeners.
 *
 * <p>Thread-safe (one lock per account; CloudFormation calls IAM with its lock held, never the other way round).
 * Listeners are called after the lock is released.
 */
public final class CloudFormationState {

    public static final String TOKEN_PATH = "BuildkiteAgentTokenParameterStorePath";
    public static final String TOKEN_KMS_KEY = "BuildkiteAgentTokenParameterStoreKMSKey";

    public static final String CREATE_COMPLETE = "CREATE_COMPLETE";
    public static final String UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS";
    public static final String UPDATE_COMPLETE = "UPDATE_COMPLETE";
    public static final String UPDATE_ROLLBACK_IN_PROGRESS = "UPDATE_ROLLBACK_IN_PROGRESS";
    public static final String UPDATE_ROLLBACK_COMPLETE = "UPDATE_ROLLBACK_COMPLETE";
    public static final String DELETE_COMPLETE = "DELETE_COMPLETE";

    /** States in which UpdateStack is accepted. */
    private static final Set<String> UPDATABLE = Set.of(CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE,
            "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE");
    private static final Pattern STACK_NAME = Pattern.compile("[a-zA-Z][-a-zA-Z0-9]{0,127}");
    private static final String SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** The Elastic CI Stack shapes the operator must support (design §1 item 3). */
    public enum StackShape {
        /** Current template: IAMRole; nested stack Autoscaling (x86_64) or AutoscalingArm64 with ExecutionRole. */
        CURRENT,
        /** Current template with MinSize == MaxSize: no nested scaler stack, no scaler role. */
        FIXED_SIZE,
        /** 2019–2020 template: top-level AutoscalingLambdaExecutionRole instead of a nested stack. */
        LEGACY,
        /** Current template with InstanceRoleARN set: no IAMRole; the template grants that role nothing. */
        CUSTOM_INSTANCE_ROLE
    }

    /** A resource of a stack as DescribeStackResource(s) shows it. */
    public record ResourceInfo(String logicalId, String physicalId, String type, String status,
                               Instant lastUpdated) {
    }

    /**
     * A role a stack uses.
     *
     * @param logicalId the logical ID of the role resource, null for a custom instance role
     * @param stackName the stack holding the role resource (the nested stack for ExecutionRole), null when custom
     * @param roleId    the role's current unique ID, null when no role with that ARN exists now
     */
    public record RoleRef(String logicalId, String stackName, String name, String arn, String roleId) {
    }

    /**
     * A snapshot of a stack. Parameters are shown as DescribeStacks shows them (NoEcho values as {@code ****}).
     *
     * @param shape                for an Elastic CI Stack, its shape now (from the template and parameters); null
     *                             for a nested stack
     * @param instanceRole         the instance role (IAMRole, or the role InstanceRoleARN names); null for nested
     * @param scalerRoles          ExecutionRole of the nested stack or the legacy AutoscalingLambdaExecutionRole;
     *                             empty for a fixed-size stack
     * @param autoScalingGroupName physical ID of AgentAutoScaleGroup; null for nested
     * @param nestedStackId        StackId of the nested scaler stack, or null
     */
    public record StackInfo(String region, String stackName, String stackId, String status, String statusReason,
                            String description, Map<String, String> parameters, Map<String, String> outputs,
                            List<String> capabilities, Map<String, String> tags, Instant creationTime,
                            Instant lastUpdatedTime, String parentId, String rootId, List<ResourceInfo> resources,
                            StackShape shape, RoleRef instanceRole, List<RoleRef> scalerRoles,
                            String autoScalingGroupName, String nestedStackId) {

        public Optional<ResourceInfo> resource(String logicalId) {
            return resources.stream().filter(r -> r.logicalId().equals(logicalId)).findFirst();
        }

        public String parameter(String key) {
            return parameters.get(key);
        }

        public String output(String key) {
            return outputs.get(key);
        }

        /** Every role of the stack the token must reach: the instance role and the scaler roles. */
        public List<RoleRef> roles() {
            List<RoleRef> all = new ArrayList<>();
            if (instanceRole != null) {
                all.add(instanceRole);
            }
            all.addAll(scalerRoles);
            return all;
        }
    }

    /**
     * The Auto Scaling group of a stack was created (oldName null), replaced, or deleted (newName null). For the
     * Auto Scaling emulator to follow.
     */
    public record AutoScalingGroupChange(String accountId, String region, String stackName, String oldName,
                                         String newName, int minSize, int maxSize) {
        public boolean created() {
            return oldName == null;
        }

        public boolean deleted() {
            return newName == null;
        }

        public boolean replaced() {
            return oldName != null && newName != null;
        }
    }

    /** One parameter of UpdateStack. */
    record ParameterInput(String key, String value, boolean usePreviousValue) {
    }

    // ------------------------------------------------------------------ internal model

    static final class Resource {
        final String logicalId;
        final String type;
        String physicalId;
        String status;
        Instant updated;
        Stack nested;

        Resource(String logicalId, String type, String physicalId, String status, Instant updated) {
            this.logicalId = logicalId;
            this.type = type;
            this.physicalId = physicalId;
            this.status = status;
            this.updated = updated;
        }
    }

    static final class Stack {
        final String region;
        final String name;
        final String id;
        final Template template;
        final Instant created;
        final Stack parent;
        LinkedHashMap<String, String> params = new LinkedHashMap<>();
        final LinkedHashMap<String, Resource> resources = new LinkedHashMap<>();
        final LinkedHashMap<String, String> outputs = new LinkedHashMap<>();
        List<String> capabilities = List.of();
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        String status;
        String reason;
        Instant lastUpdated;
        Update update;

        Stack(String region, String name, String id, Template template, Instant created, Stack parent) {
            this.region = region;
            this.name = name;
            this.id = id;
            this.template = template;
            this.created = created;
            this.parent = parent;
        }

        Stack root() {
            return parent == null ? this : parent.root();
        }

        List<Stack> nestedStacks() {
            return resources.values().stream().filter(r -> r.nested != null).map(r -> r.nested).toList();
        }
    }

    private record Update(Map<String, String> oldParams, LinkedHashMap<String, String> oldTags, Instant start,
                          String failure) {
    }

    private final String account;
    private final Clock clock;
    private final IamState iam;
    private final StackTemplates templates;
    /** Active stacks per region, by name. */
    private final Map<String, Map<String, Stack>> regions = new LinkedHashMap<>();
    /** Every stack ever created (deleted ones too), by StackId. */
    private final Map<String, Stack> byId = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<Consumer<AutoScalingGroupChange>> listeners = new CopyOnWriteArrayList<>();
    private final List<AutoScalingGroupChange> outbox = new ArrayList<>();
    private Duration updateDuration = Duration.ZERO;

    CloudFormationState(String account, Clock clock, IamState iam) {
        this.account = account;
        this.clock = clock;
        this.iam = iam;
        this.templates = new StackTemplates(this);
    }

    public String account() {
        return account;
    }

    /** Removes every stack and injected failure; update duration back to zero. Listeners stay. */
    synchronized void clear() {
        regions.clear();
        byId.clear();
        failures.clear();
        outbox.clear();
        updateDuration = Duration.ZERO;
    }

    // ------------------------------------------------------------------ fixture API

    /** A builder for an Elastic CI Stack (shape CURRENT unless told otherwise). */
    public ElasticCiStackBuilder elasticCiStack(String region, String name) {
        return new ElasticCiStackBuilder(region, name);
    }

    /** Creates an Elastic CI Stack of that shape with parameter overrides (may be empty); CREATE_COMPLETE. */
    public StackInfo createElasticCiStack(String region, String name, StackShape shape,
                                          Map<String, String> parameterOverrides) {
        return elasticCiStack(region, name).shape(shape).parameters(parameterOverrides).create();
    }

    /** Builds an Elastic CI Stack fixture. */
    public final class ElasticCiStackBuilder {
        private final String region;
        private final String name;
        private StackShape shape = StackShape.CURRENT;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<String, String> tags = new LinkedHashMap<>();

        private ElasticCiStackBuilder(String region, String name) {
            this.region = Objects.requireNonNull(region, "region");
            this.name = Objects.requireNonNull(name, "name");
        }

        public ElasticCiStackBuilder shape(StackShape shape) {
            this.shape = Objects.requireNonNull(shape, "shape");
            return this;
        }

        public ElasticCiStackBuilder parameter(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public ElasticCiStackBuilder parameters(Map<String, String> values) {
            if (values != null) {
                overrides.putAll(values);
            }
            return this;
        }

        /** Both token parameters (path, e.g. /aws/reference/secretsmanager/NAME, and bare KMS key ID or ""). */
        public ElasticCiStackBuilder tokenParameters(String path, String kmsKeyId) {
            overrides.put(TOKEN_PATH, path);
            overrides.put(TOKEN_KMS_KEY, kmsKeyId);
            return this;
        }

        /** "x86_64" (nested stack Autoscaling) or "arm64" (AutoscalingArm64); current template only. */
        public ElasticCiStackBuilder lambdaArchitecture(String architecture) {
            overrides.put("LambdaArchitecture", architecture);
            return this;
        }

        /** For CUSTOM_INSTANCE_ROLE: the existing role to use (default: a role the fixture creates). */
        public ElasticCiStackBuilder instanceRoleArn(String roleArn) {
            overrides.put("InstanceRoleARN", roleArn);
            return this;
        }

        public ElasticCiStackBuilder tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        public StackInfo create() {
            return locked(() -> createElasticCi(region, name, shape, overrides, tags));
        }
    }

    /**
     * {@code count} stacks named {@code prefix0, prefix1, ...} that are no Elastic CI Stacks (no resources, no roles):
     * the other stacks of a busy account, cheap enough to have thousands.
     */
    public void createOtherStacks(String region, String prefix, int count) {
        locked(() -> {
            settle();
            for (int i = 0; i < count; i++) {
                String name = prefix + i;
                Stack s = new Stack(region, name, stackId(region, name), Template.AGENT_SCALER, clock.instant(), null);
                s.status = CREATE_COMPLETE;
                stacksIn(region).put(name, s);
                byId.put(s.id, s);
            }
            return null;
        });
    }

    /** The stack by name (active stacks) or StackId (deleted ones too), or empty. */
    public StackInfo stackOrThrow(String region, String nameOrId) {
        return stack(region, nameOrId).orElseThrow(() -> notFound(nameOrId));
    }

    public Optional<StackInfo> stack(String region, String nameOrId) {
        return locked(() -> {
            settle();
            return lookup(region, nameOrId).map(this::info);
        });
    }

    /** Active stacks of a region (nested ones included), in creation order. */
    public List<StackInfo> stacks(String region) {
        return locked(() -> {
            settle();
            return stacksIn(region).values().stream().map(this::info).toList();
        });
    }

    /**
     * Sets a stack's status as someone else's operation would (e.g. UPDATE_IN_PROGRESS); it stays so until set
     * again. An update of the emulator's own in flight is dropped.
     */
    public void setStatus(String region, String nameOrId, String status) {
        locked(() -> {
            settle();
            Stack s = require(region, nameOrId);
            s.update = null;
            s.status = Objects.requireNonNull(status, "status");
            return null;
        });
    }

    /** Deletes a stack with its nested stacks and the roles they created; by StackId it then shows DELETE_COMPLETE. */
    public void deleteStack(String region, String nameOrId) {
        locked(() -> {
            settle();
            delete(require(region, nameOrId));
            return null;
        });
    }

    /** How long an update takes on the emulator clock (and a rollback after it). Default zero: next call. */
    public synchronized void setUpdateDuration(Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be zero or positive");
        }
        this.updateDuration = duration;
    }

    public synchronized Duration updateDuration() {
        return updateDuration;
    }

    /** The next update of that stack fails and rolls back; the reason becomes StackStatusReason. */
    public synchronized void failNextUpdate(String region, String stackName, String reason) {
        failures.put(key(region, stackName), Objects.requireNonNull(reason, "reason"));
    }

    /** Called (outside the state's lock) whenever a stack's Auto Scaling group is created, replaced or deleted. */
    public void onAutoScalingGroupChange(Consumer<AutoScalingGroupChange> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Shorthand for {@link #onAutoScalingGroupChange}: only replacements, as (old name, new name). */
    public void onAutoScalingGroupReplaced(BiConsumer<String, String> listener) {
        Objects.requireNonNull(listener, "listener");
        onAutoScalingGroupChange(change -> {
            if (change.replaced()) {
                listener.accept(change.oldName(), change.newName());
            }
        });
    }

    // ------------------------------------------------------------------ operations

    List<StackInfo> describeStacks(String region, String nameOrIdOrNull) {
        return locked(() -> {
            settle();
            if (nameOrIdOrNull == null) {
                return stacksIn(region).values().stream().map(this::info).toList();
            }
            return List.of(info(lookup(region, nameOrIdOrNull).orElseThrow(() -> notFound(nameOrIdOrNull))));
        });
    }

    /**
     * Every stack of the region ListStacks shows, deleted ones too (AWS keeps them listed for 90 days), in creation
     * order, with those statuses (empty: any).
     */
    List<StackInfo> listStacks(String region, java.util.Collection<String> statuses) {
        return locked(() -> {
            settle();
            return byId.values().stream().filter(s -> s.region.equals(region))
                    .filter(s -> statuses.isEmpty() || statuses.contains(s.status)).map(this::info).toList();
        });
    }

    /** The stack and its resources (all, or the one logical ID); by stack name/ID or by a resource's physical ID. */
    StackInfo describeStackResources(String region, String nameOrId, String physicalId, String logicalIdOrNull) {
        return locked(() -> {
            settle();
            Stack s;
            if (nameOrId != null) {
                s = lookup(region, nameOrId).orElseThrow(() -> notFound(nameOrId));
            } else if (physicalId != null) {
                s = stacksIn(region).values().stream()
                        .filter(st -> st.resources.values().stream().anyMatch(r -> physicalId.equals(r.physicalId)))
                        .findFirst()
                        .orElseThrow(() -> AwsError.of("ValidationError", "Stack for " + physicalId
                                + " does not exist"));
            } else {
                throw AwsError.of("ValidationError", "Either StackName or PhysicalResourceId must be specified.");
            }
            if (logicalIdOrNull != null && !s.resources.containsKey(logicalIdOrNull)) {
                throw AwsError.of("ValidationError", "Resource " + logicalIdOrNull + " does not exist for stack "
                        + (nameOrId != null ? nameOrId : s.name));
            }
            return info(s);
        });
    }

    String updateStack(String region, String nameOrId, boolean usePreviousTemplate, boolean templateGiven,
                       List<ParameterInput> parameters, List<String> capabilities, Map<String, String> tagsOrNull) {
        return locked(() -> {
            settle();
            if (nameOrId == null) {
                throw AwsError.of("ValidationError", "1 validation error detected: Value null at 'stackName' "
                        + "failed to satisfy constraint: Member must not be null");
            }
            Stack s = lookup(region, nameOrId).filter(st -> !DELETE_COMPLETE.equals(st.status))
                    .orElseThrow(() -> notFound(nameOrId));
            if (usePreviousTemplate && templateGiven) {
                throw AwsError.of("ValidationError", "You cannot specify both usePreviousTemplate and Template "
                        + "Body/Template URL");
            }
            if (!usePreviousTemplate && !templateGiven) {
                throw AwsError.of("ValidationError", "Either Template URL or Template Body must be specified.");
            }
            if (templateGiven) {
                throw AwsError.of("ValidationError", "The emulator supports only UsePreviousTemplate=true.");
            }
            if (!UPDATABLE.contains(s.status)) {
                throw AwsError.of("ValidationError", "Stack:" + s.id + " is in " + s.status
                        + " state and can not be updated.");
            }
            LinkedHashMap<String, String> next = resolveParameters(s, parameters);
            String missing = templates.missingCapability(s.template, next, capabilities);
            if (missing != null) {
                throw AwsError.of("InsufficientCapabilitiesException", "Requires capabilities : [" + missing + "]");
            }
            LinkedHashMap<String, String> nextTags = tagsOrNull == null ? s.tags : new LinkedHashMap<>(tagsOrNull);
            if (next.equals(s.params) && nextTags.equals(s.tags)) {
                throw AwsError.of("ValidationError", "No updates are to be performed.");
            }
            Instant now = clock.instant();
            s.update = new Update(new LinkedHashMap<>(s.params), new LinkedHashMap<>(s.tags), now,
                    failures.remove(key(region, s.name)));
            s.params = next;
            s.tags = nextTags;
            s.capabilities = List.copyOf(new LinkedHashSet<>(capabilities));
            s.status = UPDATE_IN_PROGRESS;
            s.reason = "User Initiated";
            s.lastUpdated = now;
            for (Stack n : s.nestedStacks()) {
                n.status = UPDATE_IN_PROGRESS;
                n.reason = null;
                n.lastUpdated = now;
            }
            return s.id;
        });
    }

    // ------------------------------------------------------------------ creation, updates, deletion

    private StackInfo createElasticCi(String region, String name, StackShape shape, Map<String, String> overrides,
                                      Map<String, String> tags) {
        settle();
        if (!STACK_NAME.matcher(name).matches()) {
            throw AwsError.of("ValidationError", "1 validation error detected: Value '" + name + "' at 'stackName' "
                    + "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "[a-zA-Z][-a-zA-Z0-9]*");
        }
        if (stacksIn(region).containsKey(name)) {
            throw AwsError.of("AlreadyExistsException", "Stack [" + name + "] already exists");
        }
        Template template = shape == StackShape.LEGACY ? Template.ELASTIC_CI_LEGACY : Template.ELASTIC_CI_CURRENT;
        Map<String, String> values = new LinkedHashMap<>(templates.fixtureDefaults(template));
        if (shape == StackShape.FIXED_SIZE) {
            values.put("MinSize", "2");
            values.put("MaxSize", "2");
        }
        if (shape == StackShape.CUSTOM_INSTANCE_ROLE && !overrides.containsKey("InstanceRoleARN")) {
            String roleName = truncate(name, 64 - "-instance-role".length()) + "-instance-role";
            IamState.RoleInfo role = iam.role(roleName).orElseGet(() -> iam.createRole("/buildkite/", roleName));
            values.put("InstanceRoleARN", role.arn());
        }
        values.putAll(overrides);
        List<ParameterInput> inputs = new ArrayList<>();
        values.forEach((k, v) -> inputs.add(new ParameterInput(k, v, false)));
        Stack s = new Stack(region, name, stackId(region, name), template, clock.instant(), null);
        LinkedHashMap<String, String> params = resolveParameters(s, inputs);
        if (template == Template.ELASTIC_CI_CURRENT) {
            boolean custom = !params.get("InstanceRoleARN").isEmpty();
            if (custom != (shape == StackShape.CUSTOM_INSTANCE_ROLE)) {
                throw new IllegalArgumentException("InstanceRoleARN is set exactly for shape CUSTOM_INSTANCE_ROLE");
            }
            if (templates.fixedSize(params) != (shape == StackShape.FIXED_SIZE)) {
                throw new IllegalArgumentException("MinSize == MaxSize exactly for shape FIXED_SIZE");
            }
        }
        String instanceRoleName = name + "-Role";
        if ((template == Template.ELASTIC_CI_LEGACY || params.get("InstanceRoleARN").isEmpty())
                && iam.role(instanceRoleName).isPresent()) {
            throw AwsError.of("AlreadyExistsException", instanceRoleName + " already exists");
        }
        s.params = params;
        s.tags = new LinkedHashMap<>(tags);
        s.capabilities = templates.allCapabilities(template);
        s.status = CREATE_COMPLETE;
        stacksIn(region).put(name, s);
        byId.put(s.id, s);
        templates.apply(s, false);
        return info(s);
    }

    /** Creates a nested stack (a resource of its parent). */
    Stack createNested(Stack parent, String logicalId, Template template, LinkedHashMap<String, String> params) {
        String name = parent.name + "-" + logicalId + "-" + randomSuffix();
        Stack n = new Stack(parent.region, name, stackId(parent.region, name), template, clock.instant(), parent);
        n.params = params;
        n.capabilities = templates.allCapabilities(template);
        n.status = CREATE_COMPLETE;
        n.tags = new LinkedHashMap<>(parent.tags);
        stacksIn(parent.region).put(name, n);
        byId.put(n.id, n);
        return n;
    }

    /** Deletes a stack: nested stacks first, then the roles it created; fires the ASG deletion. */
    void delete(Stack s) {
        for (Resource r : new ArrayList<>(s.resources.values())) {
            if (r.nested != null) {
                delete(r.nested);
            } else if (r.type.equals(StackTemplates.ROLE) && iam.role(r.physicalId).isPresent()) {
                iam.deleteRole(r.physicalId);
            } else if (r.type.equals(StackTemplates.ASG)) {
                asgChanged(s, r.physicalId, null);
            }
        }
        s.update = null;
        s.status = DELETE_COMPLETE;
        s.reason = null;
        stacksIn(s.region).remove(s.name, s);
    }

    void asgChanged(Stack s, String oldName, String newName) {
        outbox.add(new AutoScalingGroupChange(account, s.region, s.name, oldName, newName,
                parseInt(s.params.get("MinSize")), parseInt(s.params.get("MaxSize"))));
    }

    /** Brings updates whose time has come to their end. */
    private void settle() {
        Instant now = clock.instant();
        for (Map<String, Stack> stacks : regions.values()) {
            for (Stack s : new ArrayList<>(stacks.values())) {
                Update u = s.update;
                if (u == null) {
                    continue;
                }
                Instant due = u.start().plus(updateDuration);
                if (u.failure() == null) {
                    if (!now.isBefore(due)) {
                        complete(s, u);
                    }
                    continue;
                }
                if (UPDATE_IN_PROGRESS.equals(s.status) && !now.isBefore(due)) {
                    s.status = UPDATE_ROLLBACK_IN_PROGRESS;
                    s.reason = u.failure();
                    s.params = new LinkedHashMap<>(u.oldParams());
                    s.tags = u.oldTags();
                    s.nestedStacks().forEach(n -> n.status = UPDATE_ROLLBACK_IN_PROGRESS);
                }
                if (UPDATE_ROLLBACK_IN_PROGRESS.equals(s.status) && !now.isBefore(due.plus(updateDuration))) {
                    s.status = UPDATE_ROLLBACK_COMPLETE;
                    s.update = null;
                    s.nestedStacks().forEach(n -> n.status = UPDATE_ROLLBACK_COMPLETE);
                }
            }
        }
    }

    private void complete(Stack s, Update u) {
        boolean replaceAsg = templates.replacesAutoScalingGroup(s.template, u.oldParams(), s.params);
        s.update = null;
        s.status = UPDATE_COMPLETE;
        s.reason = null;
        templates.apply(s, replaceAsg);
    }

    /** UpdateStack's parameter rules: previous values, defaults for omitted ones, constraints. */
    private LinkedHashMap<String, String> resolveParameters(Stack s, List<ParameterInput> inputs) {
        Map<String, StackTemplates.ParamSpec> specs = templates.parameters(s.template);
        List<String> unknown = new ArrayList<>();
        Map<String, String> given = new LinkedHashMap<>();
        for (ParameterInput in : inputs) {
            if (in.key() == null) {
                throw AwsError.of("ValidationError", "1 validation error detected: Value null at 'parameterKey' "
                        + "failed to satisfy constraint: Member must not be null");
            }
            if (!specs.containsKey(in.key())) {
                unknown.add(in.key());
                continue;
            }
            if (in.usePreviousValue()) {
                if (in.value() != null && !in.value().isEmpty()) {
                    throw AwsError.of("ValidationError", "Invalid input for parameter key " + in.key()
                            + ". Cannot specify usePreviousValue as true and non empty value for a parameter");
                }
                if (!s.params.containsKey(in.key())) {
                    throw AwsError.of("ValidationError", "Invalid input for parameter key " + in.key()
                            + ". Cannot specify usePreviousValue as true for a parameter key not in the previous "
                            + "template");
                }
                given.put(in.key(), s.params.get(in.key()));
            } else {
                given.put(in.key(), in.value() == null ? "" : in.value());
            }
        }
        if (!unknown.isEmpty()) {
            throw AwsError.of("ValidationError", "Parameters: " + unknown + " do not exist in the template");
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (StackTemplates.ParamSpec spec : specs.values()) {
            String value = given.containsKey(spec.key()) ? given.get(spec.key()) : spec.defaultValue();
            if (value == null) {
                missing.add(spec.key());
                continue;
            }
            spec.check(value);
            out.put(spec.key(), value);
        }
        if (!missing.isEmpty()) {
            throw AwsError.of("ValidationError", "Parameters: " + missing + " must have values");
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers for StackTemplates

    Instant now() {
        return clock.instant();
    }

    IamState iam() {
        return iam;
    }

    String randomSuffix() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            b.append(SUFFIX_CHARS.charAt(random.nextInt(SUFFIX_CHARS.length())));
        }
        return b.toString();
    }

    /** A CloudFormation-generated physical name: STACK-LOGICALID-SUFFIX, shortened to fit maxLength. */
    String generatedName(String stackName, String logicalId, int maxLength) {
        int available = maxLength - 1 - 12;
        String prefix = stackName + "-" + logicalId;
        if (prefix.length() > available) {
            int logicalLength = Math.min(logicalId.length(), available / 2);
            int stackLength = available - 1 - logicalLength;
            prefix = truncate(stackName, stackLength) + "-" + logicalId.substring(0, logicalLength);
        }
        return prefix + "-" + randomSuffix();
    }

    // ------------------------------------------------------------------ lookup & snapshots

    private Optional<Stack> lookup(String region, String nameOrId) {
        if (nameOrId.startsWith("arn:")) {
            Stack s = byId.get(nameOrId);
            return Optional.ofNullable(s).filter(st -> st.region.equals(region));
        }
        return Optional.ofNullable(stacksIn(region).get(nameOrId));
    }

    private Stack require(String region, String nameOrId) {
        return lookup(region, Objects.requireNonNull(nameOrId, "stack")).orElseThrow(() -> notFound(nameOrId));
    }

    private static AwsError notFound(String nameOrId) {
        return AwsError.of("ValidationError", "Stack with id " + nameOrId + " does not exist");
    }

    private Map<String, Stack> stacksIn(String region) {
        return regions.computeIfAbsent(Objects.requireNonNull(region, "region"), r -> new LinkedHashMap<>());
    }

    private String stackId(String region, String name) {
        return "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + name + "/" + UUID.randomUUID();
    }

    private static String key(String region, String name) {
        return region + "/" + name;
    }

    private StackInfo info(Stack s) {
        Map<String, StackTemplates.ParamSpec> specs = templates.parameters(s.template);
        Map<String, String> params = new LinkedHashMap<>();
        s.params.forEach((k, v) -> params.put(k, specs.containsKey(k) && specs.get(k).noEcho() ? "****" : v));
        List<ResourceInfo> resources = s.resources.values().stream()
                .map(r -> new ResourceInfo(r.logicalId, r.physicalId, r.type, r.status, r.updated)).toList();
        RoleRef instanceRole = null;
        List<RoleRef> scalerRoles = new ArrayList<>();
        String asg = null;
        String nestedId = null;
        StackShape shape = null;
        if (s.template != Template.AGENT_SCALER) {
            shape = templates.shape(s.template, s.params);
            Resource role = s.resources.get("IAMRole");
            if (role != null) {
                instanceRole = roleRef(s, role);
            } else {
                String arn = s.params.getOrDefault("InstanceRoleARN", "");
                Optional<IamState.RoleInfo> custom = iam.role(arn);
                instanceRole = new RoleRef(null, null, arn.substring(arn.lastIndexOf('/') + 1), arn,
                        custom.map(IamState.RoleInfo::roleId).orElse(null));
            }
            Resource legacyScaler = s.resources.get("AutoscalingLambdaExecutionRole");
            if (legacyScaler != null) {
                scalerRoles.add(roleRef(s, legacyScaler));
            }
            for (Stack n : s.nestedStacks()) {
                nestedId = n.id;
                Resource exec = n.resources.get("ExecutionRole");
                if (exec != null) {
                    scalerRoles.add(roleRef(n, exec));
                }
            }
            Resource group = s.resources.get("AgentAutoScaleGroup");
            asg = group == null ? null : group.physicalId;
        } else {
            Resource exec = s.resources.get("ExecutionRole");
            if (exec != null) {
                scalerRoles.add(roleRef(s, exec));
            }
        }
        return new StackInfo(s.region, s.name, s.id, s.status, s.reason, templates.description(s.template),
                Collections.unmodifiableMap(params), Collections.unmodifiableMap(new LinkedHashMap<>(s.outputs)),
                s.capabilities, Collections.unmodifiableMap(new LinkedHashMap<>(s.tags)), s.created, s.lastUpdated,
                s.parent == null ? null : s.parent.id, s.parent == null ? null : s.root().id, resources, shape,
                instanceRole, List.copyOf(scalerRoles), asg, nestedId);
    }

    private RoleRef roleRef(Stack s, Resource role) {
        Optional<IamState.RoleInfo> r = iam.role(role.physicalId);
        String arn = r.map(IamState.RoleInfo::arn)
                .orElse("arn:" + IamState.PARTITION + ":iam::" + account + ":role/" + role.physicalId);
        return new RoleRef(role.logicalId, s.name, role.physicalId, arn, r.map(IamState.RoleInfo::roleId).orElse(null));
    }

    private <T> T locked(Supplier<T> body) {
        T result;
        RuntimeException failure = null;
        List<AutoScalingGroupChange> events;
        synchronized (this) {
            try {
                result = body.get();
            } catch (RuntimeException e) {
                result = null;
                failure = e;
            }
            events = List.copyOf(outbox);
            outbox.clear();
        }
        for (AutoScalingGroupChange e : events) {
            listeners.forEach(l -> l.accept(e));
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    static int parseInt(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String truncate(String s, int length) {
        return s.length() <= length ? s : s.substring(0, Math.max(0, length));
    }

    @Override
    public String toString() {
        return "CloudFormationState[" + account + "]";
    }
}
