{{- /*
One operator Deployment, as deploy/base/deployment.yaml runs it: include with (dict "root" $ "shard" $shard), the
shard one entry of .Values.shards or empty for the one unsharded Deployment. A shard's Deployment is named and selects
its pods by the shard's name, so the Deployments of one release never adopt each other's pods.
*/ -}}
{{- define "bkat.deployment" -}}
{{- with .root }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "bkat.fullname" . }}{{ with $.shard.name }}-{{ . }}{{ end }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "bkat.labels" . | nindent 4 }}
    app.kubernetes.io/component: operator
spec:
  replicas: {{ .Values.replicaCount }}
  revisionHistoryLimit: 3
  strategy:
    {{- if .Values.leaderElection.enabled }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    {{- else }}
    type: Recreate
    {{- end }}
  selector:
    matchLabels:
      {{- include "bkat.selectorLabels" . | nindent 6 }}
      {{- with $.shard.name }}
      buildkite.elasticci.io/operator-shard: {{ . }}
      {{- end }}
  template:
    metadata:
      labels:
        {{- include "bkat.selectorLabels" . | nindent 8 }}
        {{- with $.shard.name }}
        buildkite.elasticci.io/operator-shard: {{ . }}
        {{- end }}
        app.kubernetes.io/component: operator
        app.kubernetes.io/instance: {{ .Release.Name }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if or .Values.podAnnotations .Values.metrics.scrapeAnnotations }}
      annotations:
        {{- if .Values.metrics.scrapeAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: "8080"
        prometheus.io/path: /q/metrics
        {{- end }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "bkat.serviceAccountName" . }}
      # IRSA and the Kubernetes client both need the projected service account token.
      automountServiceAccountToken: true
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 1001
        runAsGroup: 1001
        fsGroup: 1001
        seccompProfile:
          type: RuntimeDefault
      terminationGracePeriodSeconds: 30
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: operator
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            - name: AWS_REGION
              value: {{ .Values.aws.region | quote }}
            {{- with .Values.allowedSecretNamePrefixes }}
            - name: BKAT_ALLOWED_SECRET_NAME_PREFIXES
              value: {{ join "," . | quote }}
            {{- end }}
            {{- with .Values.allowedNamespaces }}
            - name: BKAT_ALLOWED_NAMESPACES
              value: {{ join "," . | quote }}
            {{- end }}
            {{- with .Values.watchNamespaces }}
            # The controller's namespaces (Quarkus Operator SDK); the Secret informer follows them.
            - name: QUARKUS_OPERATOR_SDK_CONTROLLERS_BUILDKITEAGENTTOKEN_NAMESPACES
              value: {{ join "," . | quote }}
            {{- end }}
            {{- if eq .Values.logFormat "json" }}
            - name: QUARKUS_LOG_CONSOLE_JSON_ENABLED
              value: "true"
            {{- end }}
            {{- with .Values.tokenSecretLabelSelector }}
            # Only the Secrets with these labels are listed, watched and cached (RELIABILITY.md).
            - name: BKAT_TOKEN_SECRET_LABEL_SELECTOR
              value: {{ . | quote }}
            {{- end }}
            {{- with $.shard }}
            # The resources this shard reconciles (the controller's label selector), and its own Lease,
            # buildkite-token-operator-lease-<name>.
            - name: BKAT_SHARD_SELECTOR
              value: {{ .selector | quote }}
            - name: BKAT_SHARD_NAME
              value: {{ .name | quote }}
            {{- end }}
            {{- if not .Values.leaderElection.enabled }}
            - name: BKAT_LEADER_ELECTION_ENABLED
              value: "false"
            {{- end }}
            {{- range $service, $rate := .Values.aws.rateLimits }}
            - name: BKAT_AWS_RATE_LIMITS_{{ upper $service | replace "-" "_" }}
              value: {{ toString $rate | quote }}
            {{- end }}
            {{- with .Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: 1001
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities:
              drop: [ALL]
            seccompProfile:
              type: RuntimeDefault
          startupProbe:
            httpGet:
              path: /q/health/started
              port: http
            periodSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet:
              path: /q/health/live
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /q/health/ready
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        # The only writable path: JVM temp files, Vert.x file cache.
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end }}
{{- end }}
