package io.elasticci.buildkite.token.emulator;

/**
 * Who called what, where: handed to every operation handler.
 *
 * @param emulator    the emulator (for state access)
 * @param service     credential-scope service
 * @param operation   operation name
 * @param region      credential-scope region
 * @param account     the caller's account
 * @param accessKeyId the caller's access key ID
 * @param requestId   the request ID answered
 */
record CallContext(AwsEmulator emulator, String service, String operation, String region, String account,
                   String accessKeyId, String requestId) {

    KmsState kms() {
        return emulator.kms(account);
    }

    SecretsManagerState secretsManager() {
        return emulator.secretsManager(account);
    }
}
