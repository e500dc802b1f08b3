# syntax=docker/dockerfile:1
# Builds the operator from source: docker build -t ghcr.io/elasticci/buildkite-token-operator:0.1.0 .

# --- build -------------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first: this layer is reused until pom.xml changes.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY crds crds
RUN mvn -B -DskipTests package

# --- run ---------------------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
WORKDIR /deployments
# Quarkus fast-jar layout; the dependency layer (lib/) changes least, so it goes first.
COPY --from=build --chown=1001:0 /build/target/quarkus-app/lib/ lib/
COPY --from=build --chown=1001:0 /build/target/quarkus-app/*.jar ./
COPY --from=build --chown=1001:0 /build/target/quarkus-app/app/ app/
COPY --from=build --chown=1001:0 /build/target/quarkus-app/quarkus/ quarkus/
# Non-root, numeric so that Kubernetes can verify runAsNonRoot. The root filesystem can be read-only: the JVM and
# Vert.x only write to /tmp (an emptyDir in deploy/base/deployment.yaml).
USER 1001
# Container-aware heap (a share of the memory limit) and a restart rather than a half-dead JVM on OutOfMemoryError.
# The serial collector and the C1 compiler only: the operator waits on AWS and Kubernetes, and at 200 tokens these cut
# the RSS from 286 to 204 MiB and the CPU time to converge from 17.7 to 10.7 s (BENCHMARKS.md, "Memory").
# A heap kept close to the live set, for 1,000 tokens x 3 regions x 2 stacks in less than 256 MiB of RSS under AWS's
# quotas (BENCHMARKS.md, "Memory under AWS's quotas"; "Memory: where the RSS goes" and "Memory at 1,000 tokens" for
# the earlier steps): Min/MaxHeapFreeRatio 5/10, at most 10% free after a full collection where the serial collector
# would keep 40-70%; -ShrinkHeapInSteps, a burst's growth given back at the next full collection, not over the next
# four; NewRatio=6, a young generation of a seventh of the heap, not a third. They cost CPU (more collections),
# which the operator has to spare: under AWS's quotas it mostly waits. The 75% ceiling stays for larger fleets.
# MALLOC_ARENA_MAX=2 caps glibc's per-thread malloc arenas.
# The integration tests read these flags and variables from here and run the packaged jar with them; a Deployment
# that sets its own JAVA_TOOL_OPTIONS replaces them all (keep -Djava.io.tmpdir on the mounted emptyDir).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=10 -XX:NewRatio=6 -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
ENV MALLOC_ARENA_MAX=2
EXPOSE 8080
ENTRYPOINT ["java", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"]
