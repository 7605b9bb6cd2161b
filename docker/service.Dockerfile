# syntax=docker/dockerfile:1
# One image recipe for the four plain JVM services (gateway, ingestion-service, feature-service,
# recommendation-service); the inference-service and the python-worker have their own. Build from the
# repository root, e.g.:
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=gateway -t recsys/gateway:0.1.0 .
# Images are not built in CI (no Docker engine there); see docs/operations.md.

ARG SERVICE

FROM maven:3.9-eclipse-temurin-25 AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN mvn -B -ntp -Dstyle.color=never -DskipTests -pl ${SERVICE} -am package

# Spring Boot's layers: dependencies change rarely, the application often, so pushes stay small
FROM eclipse-temurin:25-jre AS layers
ARG SERVICE
WORKDIR /layers
COPY --from=build /src/${SERVICE}/target/${SERVICE}-*-exec.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 recsys && useradd --system --uid 10001 --gid recsys --no-create-home recsys
WORKDIR /app
COPY --from=layers /layers/extracted/dependencies/ ./
COPY --from=layers /layers/extracted/spring-boot-loader/ ./
COPY --from=layers /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers /layers/extracted/application/ ./
USER 10001:10001
# heap as a share of the container's memory limit: half, because besides a 512 MB heap each service
# measured 170-270 MB resident (threads, metaspace, code cache, Netty buffers; ./recsys bench
# recommendations); generational ZGC (short pauses; the only ZGC since JDK 24); die on OOM so the
# orchestrator restarts the pod; logs are JSON lines (LOG_FORMAT); /tmp must be writable (an emptyDir
# when the root filesystem is read-only)
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseZGC -XX:+ExitOnOutOfMemoryError -Xss512k" \
    LOG_FORMAT=logstash
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
