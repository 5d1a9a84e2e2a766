# Airflow 3 with a Java runtime, SQLMesh (DuckDB and PostgreSQL) and sqlmesh-dag-generator.
#
#   docker build -t sqlmesh-dag-airflow:0.1.0 .      (docker-compose.yml builds it for you)
#
# Three stages: Maven builds the engine jar; a throwaway Airflow stage with compilers turns the shim
# into a wheel that carries the jar (and compiles psycopg2); the final image only installs wheels,
# so it holds no compiler and no Maven. deploy/test_install.py runs the same two deploy/ scripts in
# a fresh virtualenv, so a broken install step fails the tests before anyone builds this image.
# Every base image is pinned to a release tag; bump them together with python-shim/constraints.txt.

ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17

# ---------------------------------------------------------------------------------------------
FROM ${MAVEN_IMAGE} AS engine
WORKDIR /src
# The pom first: dependency downloads stay cached while only the Java sources change.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY java/ java/
# maven.test.skip also skips compiling the tests: the image needs the jar, not the test classes.
RUN mvn -B -q -Dmaven.test.skip=true package \
    && test -s target/sqlmesh-dag-engine.jar

# ---------------------------------------------------------------------------------------------
FROM ${AIRFLOW_IMAGE} AS wheels
USER root
# psycopg2 (SQLMesh's postgres extra) is published as source only: it needs a compiler and libpq.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
USER airflow
COPY python-shim/ /tmp/src/python-shim/
COPY deploy/build-wheel.sh /tmp/src/deploy/
COPY --from=engine /src/target/sqlmesh-dag-engine.jar /tmp/src/sqlmesh-dag-engine.jar
RUN bash /tmp/src/deploy/build-wheel.sh /tmp/src/python-shim /tmp/src/sqlmesh-dag-engine.jar \
        /tmp/src/python-shim/constraints.txt /tmp/wheels python

# ---------------------------------------------------------------------------------------------
FROM ${AIRFLOW_IMAGE}
USER root
# The engine runs only while a DAG file is parsed and the project changed; a headless JRE is enough.
# Slim Debian images lack the man1 folder that the JRE's post-install script writes a link into.
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless libpq5 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && java -version
USER airflow
COPY --from=wheels --chown=airflow:0 /tmp/wheels/ /tmp/wheels/
COPY python-shim/constraints.txt /tmp/constraints.txt
COPY deploy/install-python-packages.sh /tmp/install-python-packages.sh
RUN PIP_NO_CACHE_DIR=1 bash /tmp/install-python-packages.sh /tmp/wheels /tmp/constraints.txt python \
    && python -c "from sqlmesh_dag_generator.build.engine import find_engine_jar; print(find_engine_jar())" \
    && rm -rf /tmp/wheels
