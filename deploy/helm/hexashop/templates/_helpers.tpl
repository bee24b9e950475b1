{{- define "hexashop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hexashop.fullname" -}}
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

{{- define "hexashop.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "hexashop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* selector labels of one component: serve, dispatch or migrate */}}
{{- define "hexashop.selector" -}}
app.kubernetes.io/name: {{ include "hexashop.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hexashop.image" -}}
{{- if not .Values.image.repository }}{{ fail "image.repository is required: the registry path of the image built from the Dockerfile" }}{{ end }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "hexashop.jwtSecret" -}}
{{- default (printf "%s-jwt" (include "hexashop.fullname" .)) .Values.jwt.existingSecret }}
{{- end }}

{{- define "hexashop.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "hexashop.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{/* environment of every container: the ConfigMap, and the Secrets' keys */}}
{{- define "hexashop.env" -}}
{{- if not .Values.database.existingSecret }}{{ fail "database.existingSecret is required: a Secret with the key DATABASE_URL" }}{{ end -}}
envFrom:
  - configMapRef:
      name: {{ include "hexashop.fullname" . }}
env:
  - name: DATABASE_URL
    valueFrom: {secretKeyRef: {name: {{ .Values.database.existingSecret }}, key: DATABASE_URL}}
  - name: DATABASE_DIRECT_URL
    valueFrom: {secretKeyRef: {name: {{ .Values.database.existingSecret }}, key: DATABASE_DIRECT_URL, optional: true}}
  - name: DATABASE_READ_URL
    valueFrom: {secretKeyRef: {name: {{ .Values.database.existingSecret }}, key: DATABASE_READ_URL, optional: true}}
  {{- if .Values.smtp.existingSecret }}
  - name: SMTP_URL
    valueFrom: {secretKeyRef: {name: {{ .Values.smtp.existingSecret }}, key: SMTP_URL}}
  {{- end }}
{{- end }}

{{- define "hexashop.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{- define "hexashop.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities: {drop: [ALL]}
{{- end }}
