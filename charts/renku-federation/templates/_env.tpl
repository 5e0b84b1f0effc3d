{{/*
Each component's plain settings (its ConfigMap), as YAML of environment variable -> text; the
component's `settings` values are merged over them. Credentials are in "renku-fed.secretEnvs".
*/}}

{{- define "renku-fed.env.auth" -}}
RENKU_FED_AUTH_ISSUER: {{ include "renku-fed.issuer" . | quote }}
RENKU_FED_AUTH_AUDIENCES: {{ toJson .Values.auth.audiences | quote }}
{{- with .Values.auth.authorizedParty }}
RENKU_FED_AUTH_AUTHORIZED_PARTY: {{ . | quote }}
{{- end }}
{{- end }}

{{- define "renku-fed.env.router" -}}
{{- $redis := include "renku-fed.redis" . -}}
RENKU_FED_ROUTER_SUPERGRAPH_PATH: /etc/renku-fed/supergraph/supergraph.graphql
RENKU_FED_ROUTER_SUPERGRAPH_POLL_SECONDS: {{ .Values.supergraph.pollSeconds | toString | quote }}
RENKU_FED_ROUTER_LOGIN_DATA_DIR: /data
RENKU_FED_ROUTER_LOGIN_PUBLIC_URL: {{ include "renku-fed.publicUrl" . | quote }}
RENKU_FED_ROUTER_LOGIN_STORE: {{ ternary "redis" "memory" (not (empty $redis)) }}
RENKU_FED_ROUTER_LIMITS_RATE_STORE: {{ ternary "redis" "memory" (not (empty $redis)) }}
{{- with .Values.router.login.clientId }}
RENKU_FED_ROUTER_LOGIN_CLIENT_ID: {{ . | quote }}
{{- end }}
{{- if .Values.ingress.enabled }}
RENKU_FED_ROUTER_LIMITS_CLIENT_IP_HEADER: x-forwarded-for
{{- end }}
{{- end }}

{{- define "renku-fed.env.users" -}}
RENKU_FED_USERS_DATA_DIR: /data
RENKU_FED_USERS_SEED_DEMO: {{ .Values.users.seedDemo | toString | quote }}
RENKU_FED_USERS_BACKEND: {{ .Values.users.backend }}
RENKU_FED_USERS_PROJECTS_URL: {{ printf "%s/graphql" (include "renku-fed.serviceUrl" (dict "root" . "component" "projects")) | quote }}
{{- if include "renku-fed.devIssuer" . }}
RENKU_FED_USERS_DEV_ISSUER_DIR: /data/dev-issuer
{{- end }}
{{- if eq .Values.users.backend "keycloak" }}
RENKU_FED_USERS_KEYCLOAK_URL: {{ required "users.backend keycloak needs keycloak.url" .Values.keycloak.url | quote }}
RENKU_FED_USERS_KEYCLOAK_REALM: {{ .Values.keycloak.realm | quote }}
RENKU_FED_USERS_KEYCLOAK_CLIENT_ID: {{ required "users.backend keycloak needs users.keycloak.clientId" .Values.users.keycloak.clientId | quote }}
{{- end }}
{{- end }}

{{- define "renku-fed.env.projects" -}}
RENKU_FED_PROJECTS_DATA_DIR: /data
RENKU_FED_PROJECTS_SEED_DEMO: {{ .Values.projects.seedDemo | toString | quote }}
RENKU_FED_PROJECTS_BACKEND: {{ .Values.projects.backend }}
RENKU_FED_PROJECTS_USERS_URL: {{ printf "%s/graphql" (include "renku-fed.serviceUrl" (dict "root" . "component" "users")) | quote }}
RENKU_FED_PROJECTS_KG_EVENTS_URL: {{ printf "%s/internal/events" (include "renku-fed.serviceUrl" (dict "root" . "component" "kg")) | quote }}
{{- if eq .Values.projects.backend "gitlab" }}
RENKU_FED_PROJECTS_GITLAB_URL: {{ required "projects.backend gitlab needs projects.gitlab.url" .Values.projects.gitlab.url | quote }}
RENKU_FED_PROJECTS_KEYCLOAK_URL: {{ required "projects.backend gitlab needs keycloak.url" .Values.keycloak.url | quote }}
RENKU_FED_PROJECTS_KEYCLOAK_REALM: {{ .Values.keycloak.realm | quote }}
RENKU_FED_PROJECTS_GITLAB_IDP_ALIAS: {{ .Values.projects.gitlab.idpAlias | quote }}
{{- end }}
{{- end }}

{{- define "renku-fed.env.sessions" -}}
RENKU_FED_SESSIONS_DATA_DIR: /data
RENKU_FED_SESSIONS_SEED_DEMO: {{ .Values.sessions.seedDemo | toString | quote }}
RENKU_FED_SESSIONS_BACKEND: {{ .Values.sessions.backend }}
RENKU_FED_SESSIONS_PUBLIC_URL: {{ include "renku-fed.publicUrl" . | quote }}
RENKU_FED_SESSIONS_GRAPH_URL: {{ printf "%s/graphql" (include "renku-fed.serviceUrl" (dict "root" . "component" "router")) | quote }}
RENKU_FED_SESSIONS_MAX_LIVE_SESSIONS: {{ .Values.sessions.maxLiveSessions | toString | quote }}
RENKU_FED_SESSIONS_MAX_LIVE_SESSIONS_PER_USER: {{ .Values.sessions.maxLiveSessionsPerUser | toString | quote }}
RENKU_FED_SESSIONS_KUBERNETES_NAMESPACE: {{ .Values.sessions.amalthea.namespace | default .Release.Namespace | quote }}
RENKU_FED_SESSIONS_KUBERNETES_SERVICE_ACCOUNT: {{ printf "%s-session-pods" (include "renku-fed.fullname" .) | quote }}
RENKU_FED_SESSIONS_STORAGE_URL: {{ printf "%s/internal/session-launch" (include "renku-fed.serviceUrl" (dict "root" . "component" "storage")) | quote }}
{{- end }}

{{- define "renku-fed.env.storage" -}}
RENKU_FED_STORAGE_DATA_DIR: /data
RENKU_FED_STORAGE_SEED_DEMO: {{ .Values.storage.seedDemo | toString | quote }}
RENKU_FED_STORAGE_GRAPH_URL: {{ printf "%s/graphql" (include "renku-fed.serviceUrl" (dict "root" . "component" "router")) | quote }}
{{- end }}

{{- define "renku-fed.env.kg" -}}
RENKU_FED_KG_DATA_DIR: /data
RENKU_FED_KG_USERS_URL: {{ printf "%s/graphql" (include "renku-fed.serviceUrl" (dict "root" . "component" "users")) | quote }}
RENKU_FED_KG_SEED_DEMO: {{ .Values.kg.seedDemo | toString | quote }}
{{- if eq .Values.projects.backend "gitlab" }}
RENKU_FED_KG_KEYCLOAK_URL: {{ required "projects.backend gitlab needs keycloak.url" .Values.keycloak.url | quote }}
RENKU_FED_KG_KEYCLOAK_REALM: {{ .Values.keycloak.realm | quote }}
RENKU_FED_KG_GITLAB_IDP_ALIAS: {{ .Values.projects.gitlab.idpAlias | quote }}
{{- end }}
{{- with .Values.kg.sparql.url }}
RENKU_FED_KG_BACKEND: sparql
RENKU_FED_KG_SPARQL_QUERY_URL: {{ . | quote }}
RENKU_FED_KG_SPARQL_UPDATE_URL: {{ $.Values.kg.sparql.updateUrl | default . | quote }}
{{- with $.Values.kg.sparql.user }}
RENKU_FED_KG_SPARQL_USER: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's ConfigMap data: its settings with the `settings` values over them. */}}
{{- define "renku-fed.configData" -}}
{{- $env := include (printf "renku-fed.env.%s" .component) .root | fromYaml -}}
{{- $values := index .root.Values .component -}}
{{- range $name, $value := $values.settings }}
{{- $_ := set $env $name (include "renku-fed.envValue" $value) }}
{{- end }}
{{- range $name := keys $env | sortAlpha }}
{{ $name }}: {{ index $env $name | toString | quote }}
{{- end }}
{{- end }}

{{/* A component's credentials, as container env entries from Secrets. */}}
{{- define "renku-fed.secretEnvs" -}}
{{- $v := .root.Values -}}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_SUBGRAPH_SECRET" "key" "subgraph-secret" "value" "generated" "existingSecret" $v.subgraphSecret.existingSecret "existingSecretKey" $v.subgraphSecret.existingSecretKey) }}
{{- if eq .component "router" }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_ROUTER_REDIS_URL" "key" "redis-url" "value" $v.redis.url "existingSecret" $v.redis.existingSecret "existingSecretKey" $v.redis.existingSecretKey) }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_ROUTER_LOGIN_CLIENT_SECRET" "key" "login-client-secret" "value" $v.router.login.clientSecret "existingSecret" $v.router.login.existingSecret "existingSecretKey" $v.router.login.existingSecretKey) }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_ROUTER_LOGIN_SESSION_KEY" "key" "login-session-key" "value" "generated" "existingSecret" $v.router.login.sessionKeyExistingSecret "existingSecretKey" $v.router.login.sessionKeyExistingSecretKey) }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_ROUTER_SESSION_PROXY_SECRET" "key" "session-proxy-secret" "value" "generated" "existingSecret" $v.sessionProxy.existingSecret "existingSecretKey" $v.sessionProxy.existingSecretKey) }}
{{- else if eq .component "users" }}
{{- if eq $v.users.backend "keycloak" }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_USERS_KEYCLOAK_CLIENT_SECRET" "key" "users-keycloak-client-secret" "value" $v.users.keycloak.clientSecret "existingSecret" $v.users.keycloak.existingSecret "existingSecretKey" $v.users.keycloak.existingSecretKey) }}
{{- end }}
{{- else if eq .component "projects" }}
{{- if eq $v.projects.backend "gitlab" }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_PROJECTS_GITLAB_ADMIN_TOKEN" "key" "projects-gitlab-admin-token" "value" $v.projects.gitlab.adminToken "existingSecret" $v.projects.gitlab.existingSecret "existingSecretKey" $v.projects.gitlab.existingSecretKey) }}
{{- end }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_PROJECTS_EVENTS_SECRET" "key" "events-secret" "value" "generated" "existingSecret" "" "existingSecretKey" "") }}
{{- else if eq .component "kg" }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_KG_EVENTS_SECRET" "key" "events-secret" "value" "generated" "existingSecret" "" "existingSecretKey" "") }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_KG_SPARQL_PASSWORD" "key" "kg-sparql-password" "value" $v.kg.sparql.password "existingSecret" $v.kg.sparql.existingSecret "existingSecretKey" $v.kg.sparql.existingSecretKey) }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_KG_REPOSITORY_TOKEN" "key" "kg-repository-token" "value" $v.kg.repositoryToken.token "existingSecret" $v.kg.repositoryToken.existingSecret "existingSecretKey" $v.kg.repositoryToken.existingSecretKey) }}
{{- else if eq .component "sessions" }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_SESSIONS_PROXY_SECRET" "key" "session-proxy-secret" "value" "generated" "existingSecret" $v.sessionProxy.existingSecret "existingSecretKey" $v.sessionProxy.existingSecretKey) }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_SESSIONS_STORAGE_SECRET" "key" "storage-internal-secret" "value" "generated" "existingSecret" "" "existingSecretKey" "") }}
{{- else if eq .component "storage" }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_STORAGE_SECRETS_KEYS" "key" "storage-secrets-keys" "value" "generated" "existingSecret" $v.storage.secretsKeys.existingSecret "existingSecretKey" $v.storage.secretsKeys.existingSecretKey) }}
{{- include "renku-fed.secretEnv" (dict "root" .root "env" "RENKU_FED_STORAGE_INTERNAL_SECRET" "key" "storage-internal-secret" "value" "generated" "existingSecret" "" "existingSecretKey" "") }}
{{- end }}
{{- end }}
