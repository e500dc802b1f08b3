package io.elasticci.buildkite.token.emulator;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The IAM state of every account, so that a resource policy can name roles of any account: Secrets Manager resolves
 * its principals here (role ARN to unique ID when a policy is saved, unique ID back to the current ARN when it is
 * read).
 */
final class IamDirectory {

    private final Clock clock;
    private final Map<String, IamState> accounts = new ConcurrentHashMap<>();

    IamDirectory(Clock clock) {
        this.clock = clock;
    }

    IamState account(String accountId) {
        Objects.requireNonNull(accountId, "accountId");
        return accounts.computeIfAbsent(accountId, a -> new IamState(a, clock));
    }

    /** The role an ARN names ({@code arn:aws:iam::ACCOUNT:role/PATH/NAME}), in the ARN's account. */
    Optional<IamState.RoleInfo> roleByArn(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[1].equals(IamState.PARTITION)
                || !parts[2].equals("iam") || !parts[5].startsWith("role/")) {
            return Optional.empty();
        }
        return account(parts[4]).role(arn);
    }

    /** The role that currently has this unique ID, in any account. */
    Optional<IamState.RoleInfo> roleById(String roleId) {
        for (IamState state : accounts.values()) {
            Optional<IamState.RoleInfo> role = state.roleById(roleId);
            if (role.isPresent()) {
                return role;
            }
        }
        return Optional.empty();
    }

    /** Whether IAM would accept the role as a resource policy principal now (exists and has propagated). */
    boolean isValidPrincipal(IamState.RoleInfo role) {
        return account(role.accountId()).isValidPrincipal(role.roleId());
    }

    void clear() {
        accounts.values().forEach(IamState::clear);
    }
}
