{{/*
What the chart knows of each service and never lets values change: its ports (the services' own
defaults, checked against their application.yaml by the chart's tests), who calls it over gRPC (its
NetworkPolicy admits only them), and whether it talks to Redis.
*/}}
{{- define "recsys.components" -}}
gateway: {http: 8080, grpc: 9090, management: 8085, callers: [], redis: true, public: true}
ingestion-service: {http: 8081, grpc: 9091, callers: [gateway], redis: true, public: false}
feature-service: {http: 8082, grpc: 9092, callers: [recommendation-service], redis: true, public: false}
inference-service: {http: 8083, grpc: 9093, callers: [recommendation-service], redis: false, public: false}
recommendation-service: {http: 8084, grpc: 9094, callers: [gateway], redis: false, public: false}
{{- end }}

{{/* <release>-<component>, within the 63 characters of a DNS label */}}
{{- define "recsys.name" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" $root.Release.Name (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "recsys.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end }}

{{- define "recsys.labels" -}}
{{- $root := index . 0 -}}
{{ include "recsys.selectorLabels" . }}
app.kubernetes.io/part-of: recsys-platform
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version }}
{{- end }}

{{/* a service's settings: serviceDefaults overridden by what its own values name */}}
{{- define "recsys.settings" -}}
{{- $root := index . 0 -}}
{{- $own := index $root.Values (index . 1) | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy $root.Values.serviceDefaults) (deepCopy $own)) -}}
{{- end }}

{{/* <registry>/<image>:<tag><suffix>, pinned to image.digests.<image><suffix> when one is given */}}
{{- define "recsys.image" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 2 | default "" -}}
{{- $image := printf "%s/%s:%s%s" $root.Values.image.registry (index . 1) ($root.Values.image.tag | default $root.Chart.AppVersion) $suffix -}}
{{- $digest := index ($root.Values.image.digests | default dict) (printf "%s%s" (index . 1) $suffix) -}}
{{- if $digest }}{{ printf "%s@%s" $image $digest }}{{ else }}{{ $image }}{{ end -}}
{{- end }}

{{- define "recsys.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-platform" .Release.Name) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end }}

{{- define "recsys.apiKeySecret" -}}
{{- default (include "recsys.name" (list . "api-keys")) .Values.apiKeys.existingSecret -}}
{{- end }}

{{/*
A key of a Secret this release generated earlier (base64, as stored), so that an upgrade keeps a generated
password or API key instead of making a new one; empty at install. Only on upgrade: at install there is
nothing to read back, and renderers without a cluster (helm template, Argo CD) cannot look anything up,
which is why GitOps installs name existing Secrets instead (docs/operations.md).
*/}}
{{- define "recsys.existingSecretData" -}}
{{- $root := index . 0 -}}
{{- if $root.Release.IsUpgrade -}}
{{- $secret := lookup "v1" "Secret" $root.Release.Namespace (index . 1) -}}
{{- if $secret -}}
{{- index ($secret.data | default dict) (index . 2) | default "" -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* the Secret and key holding the bundled Redis's password */}}
{{- define "recsys.redisAuthSecret" -}}
{{- default (include "recsys.name" (list . "redis-auth")) .Values.redis.auth.existingSecret -}}
{{- end }}

{{- define "recsys.redisAuthKey" -}}
{{- if .Values.redis.auth.existingSecret -}}
{{ .Values.redis.auth.existingSecretKey }}
{{- else -}}
redis-password
{{- end -}}
{{- end }}

{{/* an environment variable's source: the bundled Redis's password */}}
{{- define "recsys.redisPasswordFrom" -}}
valueFrom:
  secretKeyRef:
    name: {{ include "recsys.redisAuthSecret" . }}
    key: {{ include "recsys.redisAuthKey" . }}
{{- end }}

{{/* how a pod reaches the bundled Redis: address, password and the CA that signed its certificate */}}
{{- define "recsys.bundledRedisEnv" -}}
- name: SPRING_DATA_REDIS_HOST
  value: {{ include "recsys.name" (list . "redis") }}
- name: SPRING_DATA_REDIS_PORT
  value: "6379"
{{- if .Values.redis.auth.enabled }}
- name: SPRING_DATA_REDIS_PASSWORD
  {{- include "recsys.redisPasswordFrom" . | nindent 2 }}
{{- end }}
{{- if .Values.redis.tls.enabled }}
- name: SPRING_DATA_REDIS_SSL_ENABLED
  value: "true"
- name: SPRING_DATA_REDIS_SSL_BUNDLE
  value: redis
- name: SPRING_SSL_BUNDLE_PEM_REDIS_TRUSTSTORE_CERTIFICATE
  value: file:/redis-tls/ca.crt
{{- end }}
{{- end }}

{{/* the Secret and key holding the Redis URL */}}
{{- define "recsys.redisSecret" -}}
{{- if and (not .Values.redis.enabled) .Values.redis.external.existingSecret -}}
{{ .Values.redis.external.existingSecret }}
{{- else -}}
{{ include "recsys.name" (list . "redis-url") }}
{{- end -}}
{{- end }}

{{- define "recsys.redisSecretKey" -}}
{{- if and (not .Values.redis.enabled) .Values.redis.external.existingSecret -}}
{{ .Values.redis.external.existingSecretKey }}
{{- else -}}
redis-url
{{- end -}}
{{- end }}

{{/*
What the chart itself configures in a service: where its gRPC backends are (headless Services resolved
by DNS and balanced per call: one HTTP/2 connection to one pod otherwise carries all the traffic) and a
maximum connection age so that clients re-resolve and find new replicas after a scale-up.
*/}}
{{- define "recsys.baseConfig" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $components := include "recsys.components" $root | fromYaml -}}
spring:
  grpc:
    server:
      keepalive:
        connection:
          max-age: 5m
          grace-period: 30s
{{- $backends := list -}}
{{- range $backend, $c := $components }}
{{- if has $name $c.callers }}{{ $backends = append $backends $backend }}{{ end }}
{{- end }}
{{- if $backends }}
    client:
      channel:
{{- range $backend := $backends }}
        {{ $backend }}:
          target: {{ printf "dns:///%s:%v" (include "recsys.name" (list $root $backend)) (index $components $backend).grpc }}
          default:
            load-balancing-policy: round_robin
{{- end }}
{{- end }}
{{- if eq $name "inference-service" }}
recsys:
  inference:
    model-dir: /models
    model-name: {{ $root.Values.models.name }}
    device: {{ ternary "gpu" "auto" (index $root.Values "inference-service").gpu.enabled }}
    {{- with $root.Values.models.pinnedVersion }}
    pinned-version: {{ . | quote }}
    {{- end }}
{{- end }}
{{- end }}

{{/* the application.yaml a service gets: the chart's settings < config < <service>.config */}}
{{- define "recsys.applicationConfig" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $own := (index $root.Values $name | default dict).config | default dict -}}
{{- $merged := mergeOverwrite (include "recsys.baseConfig" . | fromYaml) (deepCopy $root.Values.config) (deepCopy $own) -}}
{{- toYaml $merged -}}
{{- end }}

{{- define "recsys.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}
