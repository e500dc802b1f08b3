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
# Min/MaxHeapFreeRatio 10/20: the serial collector sizes the heap to the live set after a full collection instead of
# keeping 40-70% free; the 75% ceiling stays for larger fleets. With MALLOC_ARENA_MAX=2 (glibc's per-thread malloc
# arenas) 1,000 tokens x 3 regions x 2 stacks run in 302/359 MiB (after convergence/after a resync) instead of
# 328/396 MiB (quotas off; BENCHMARKS.md, "Memory: where the RSS goes"). NewRatio=4: a young generation of a fifth
# of the heap, not a third: 20 MiB less RSS at that size for ~15% more CPU while converging with no quota to wait for
# (BENCHMARKS.md, "Memory at 1,000 tokens"). -ShrinkHeapInSteps: give a burst's growth back at the next full
# collection, not over the next four (BENCHMARKS.md, "Memory under AWS's quotas").
# The integration tests read these flags and variables from here and run the packaged jar with them; a Deployment
# that sets its own JAVA_TOOL_OPTIONS replaces them all (keep -Djava.io.tmpdir on the mounted emptyDir).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:NewRatio=4 -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
ENV MALLOC_ARENA_MAX=2
EXPOSE 8080
ENTRYPOINT ["java", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"]
