{{/*
Names. With the release named after the chart (the documented install: `helm install buildkite-token-operator ...`)
every object is named buildkite-token-operator, as deploy/base names them.
*/}}
{{- define "bkat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "bkat.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "bkat.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "bkat.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: the name of an existing service account (serviceAccount.create is false)" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The labels deploy/base gives every object (app.kubernetes.io/name, and part-of from its kustomization), plus Helm's
bookkeeping ones.
*/}}
{{- define "bkat.labels" -}}
app.kubernetes.io/name: {{ include "bkat.name" . }}
app.kubernetes.io/part-of: buildkite-token-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ (.Values.image.tag | default .Chart.AppVersion) | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The Deployment's selector: the one deploy/base uses, so the two install the same Deployment (a selector cannot change
once created). One release per namespace.
*/}}
{{- define "bkat.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bkat.name" . }}
{{- end }}

{{/* The operator's service account as an RBAC subject. */}}
{{- define "bkat.subjects" -}}
subjects:
  - kind: ServiceAccount
    name: {{ include "bkat.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
{{- end }}

{{/*
What the operator does with namespaced objects wherever it watches BuildkiteAgentTokens: cluster-wide by default, in
each of watchNamespaces otherwise.
*/}}
{{- define "bkat.watchRules" -}}
# patch: the finalizer is added and removed with a JSON patch.
- apiGroups: [buildkite.elasticci.io]
  resources: [buildkiteagenttokens]
  verbs: [get, list, watch, patch]
- apiGroups: [buildkite.elasticci.io]
  resources: [buildkiteagenttokens/status]
  verbs: [update]
# Read only: the values that tokenSecretRefs point at (an informer, hence list/watch; never a get by name).
- apiGroups: [""]
  resources: [secrets]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end }}
