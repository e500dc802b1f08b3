package io.elasticci.buildkite.token.emulator;

import java.util.List;
import java.util.Set;

/**
 * The one place that decides whether an operation writes (changes state): by the operation's leading verb, with
 * explicit exceptions for the operations whose verb misleads. Services added later need no change here unless
 * one of their operations is such an exception.
 */
public final class Operations {

    private static final List<String> WRITE_VERBS = List.of(
            "Create", "Put", "Update", "Delete", "Replicate", "Remove", "Tag", "Untag", "Restore", "Rotate",
            "Cancel", "Start", "Stop", "Enable", "Disable", "Schedule", "Set", "Attach", "Detach", "Add",
            "Modify", "Register", "Deregister", "Execute", "Continue", "Signal", "Suspend", "Resume", "Upload",
            "Change", "Reset", "Import", "Terminate", "Complete", "Record", "Associate", "Disassociate",
            "Replace", "Revoke", "Retire", "Rollback", "Enter", "Exit", "Activate", "Deactivate");

    /** Operations that start with a write verb but change nothing. */
    private static final Set<String> READS = Set.of();

    /** Operations without a write verb that change state. */
    private static final Set<String> WRITES = Set.of();

    private Operations() {
    }

    public static boolean isWrite(String service, String operation) {
        if (operation == null) {
            return false;
        }
        if (READS.contains(operation)) {
            return false;
        }
        if (WRITES.contains(operation)) {
            return true;
        }
        for (String verb : WRITE_VERBS) {
            if (operation.startsWith(verb) && (operation.length() == verb.length()
                    || Character.isUpperCase(operation.charAt(verb.length())))) {
                return true;
            }
        }
        return false;
    }
}
