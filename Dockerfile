# The lem CLI image: `docker compose run --rm lem --help`.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests -pl cli -am package

FROM eclipse-temurin:17-jre
RUN useradd --create-home --uid 1000 app
COPY --from=build /src/cli/target/lem.jar /opt/lem/lem.jar
COPY --from=build /src/cli/target/lib /opt/lem/lib
COPY configs /app/configs
USER app
WORKDIR /app
ENV LEM_HOME=/home/app/.lem
# jdk.incubator.vector: the runner's batch-1 decode kernel (the JVM prints one warning that it is incubating)
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-jar", "/opt/lem/lem.jar"]
CMD ["--help"]
