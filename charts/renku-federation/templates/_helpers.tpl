{{/* The chart's name, overridable. */}}
{{- define "renku-fed.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-qualified name every object starts with. */}}
{{- define "renku-fed.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "renku-fed.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "renku-fed.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "renku-fed.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "renku-fed.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: renku-federation
{{- end }}

{{/* Selector labels of one component; call with (dict "root" $ "component" "router"). */}}
{{- define "renku-fed.selectorLabels" -}}
app.kubernetes.io/name: {{ include "renku-fed.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of one component's objects. */}}
{{- define "renku-fed.componentLabels" -}}
{{ include "renku-fed.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The image every service runs. */}}
{{- define "renku-fed.image" -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The in-cluster base URL of a component's Service; (dict "root" $ "component" "users"). */}}
{{- define "renku-fed.serviceUrl" -}}
{{- $values := index .root.Values .component -}}
http://{{ include "renku-fed.fullname" .root }}-{{ .component }}:{{ $values.port }}
{{- end }}

{{/* The external base URL: publicUrl, else the Ingress host, else the router's Service. */}}
{{- define "renku-fed.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl | trimSuffix "/" }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- else }}
{{- include "renku-fed.serviceUrl" (dict "root" . "component" "router") }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the users subgraph serves the development issuer. */}}
{{- define "renku-fed.devIssuer" -}}
{{- if and (not .Values.auth.issuer) (not .Values.keycloak.url) }}true{{ end }}
{{- end }}

{{/* The OIDC issuer URL every service checks tokens against. */}}
{{- define "renku-fed.issuer" -}}
{{- if .Values.auth.issuer }}
{{- .Values.auth.issuer }}
{{- else if .Values.keycloak.url }}
{{- printf "%s/realms/%s" (.Values.keycloak.url | trimSuffix "/") .Values.keycloak.realm }}
{{- else }}
{{- printf "%s/realms/renku" (include "renku-fed.serviceUrl" (dict "root" . "component" "users")) }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the router's replicas share their stores in Redis. */}}
{{- define "renku-fed.redis" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret }}true{{ end }}
{{- end }}

{{/* The namespace of AmaltheaSession resources. */}}
{{- define "renku-fed.amaltheaNamespace" -}}
{{- default .Release.Namespace .Values.sessions.amalthea.namespace }}
{{- end }}

{{/*
One environment variable from a credential: the chart's Secret holds `value` under `key`, or
`existingSecret` names the user's own Secret and `existingSecretKey` its key. Nothing when
neither is set. (dict "root" $ "env" "NAME" "key" "chart-key" "value" v "existingSecret" s
"existingSecretKey" k)
*/}}
{{- define "renku-fed.secretEnv" -}}
{{- if or .value .existingSecret }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | default (include "renku-fed.fullname" .root) }}
      key: {{ ternary .existingSecretKey .key (not (empty .existingSecret)) }}
{{- end }}
{{- end }}

{{/* A value as an environment variable's text: lists and objects as JSON. */}}
{{- define "renku-fed.envValue" -}}
{{- if or (kindIs "slice" .) (kindIs "map" .) }}{{ toJson . }}{{ else }}{{ toString . }}{{ end }}
{{- end }}

{{/* A stored secret's value kept across upgrades, else `generated`; (dict "root" $ "key" k "generated" g). */}}
{{- define "renku-fed.keptSecret" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace (include "renku-fed.fullname" .root) }}
{{- if and $existing (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- .generated }}
{{- end }}
{{- end }}

{{/* The pod security context, volumes for /tmp and the service account of a component. */}}
{{- define "renku-fed.podSpecCommon" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Liveness, readiness and start-up probes on a service's /healthz. */}}
{{- define "renku-fed.probes" -}}
startupProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 2
  failureThreshold: 60
readinessProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 5
  failureThreshold: 2
livenessProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}

{{/* The supergraph SDL: supergraph.sdl, else the platform's with each subgraph at its Service. */}}
{{- define "renku-fed.supergraph" -}}
{{- if .Values.supergraph.sdl }}
{{- .Values.supergraph.sdl }}
{{- else }}
{{- $sdl := .Files.Get "files/supergraph.graphql" }}
{{- $ports := dict "users" 4001 "projects" 4002 "sessions" 4003 "kg" 4004 "storage" 4005 }}
{{- range $name, $port := $ports }}
{{- $url := printf "%s/graphql" (include "renku-fed.serviceUrl" (dict "root" $ "component" $name)) }}
{{- $sdl = replace (printf "\"http://127.0.0.1:%d/graphql\"" $port) (printf "%q" $url) $sdl }}
{{- end }}
{{- $sdl }}
{{- end }}
{{- end }}

{{/* True (non-empty) when a subgraph keeps an embedded store on a PersistentVolumeClaim. */}}
{{- define "renku-fed.persistent" -}}
{{- $v := .root.Values -}}
{{- if or (eq .component "users") (eq .component "sessions") }}true
{{- else if and (eq .component "projects") (eq $v.projects.backend "embedded") }}true
{{- else if and (eq .component "kg") (not $v.kg.sparql.url) }}true
{{- else if eq .component "storage" }}true
{{- end }}
{{- end }}
