# Sourced by ./jdma and ./build. Sets JAVA_HOME to a JDK 25 or newer, or exits with a message
# that says how to get one. Order: $JAVA_HOME if it is 25+, then the usual install locations,
# then the java on PATH.

jdma_java_major() { # $1 = a java executable; prints its feature version (17, 25, ...) or nothing
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

jdma_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  if command -v java >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    candidates+=("$c")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(jdma_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      printf '%s\n' "$c"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(jdma_find_jdk); then
  cat >&2 <<'MSG'
jdma: no JDK 25 or newer found.
  Looked at $JAVA_HOME, /usr/lib/jvm/*, /usr/java/*, /opt/java/*, /opt/jdk*, ~/.sdkman, ~/.jdks and the java on PATH.
  Install one, for example:
    Debian/Ubuntu: apt-get install temurin-25-jdk   (Adoptium apt repository) or openjdk-25-jdk
    SDKMAN:        sdk install java 25-tem
    Any OS:        download a JDK 25 from https://adoptium.net and set JAVA_HOME to it
  then run this command again (or set JAVA_HOME explicitly).
MSG
  exit 3
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

if ! command -v mvn >/dev/null 2>&1; then
  echo "jdma: Apache Maven (mvn, 3.8 or newer) is needed on PATH: apt-get install maven, or https://maven.apache.org" >&2
  exit 3
fi

# Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every run (JEP 498):
# that noise is Maven's, not ours.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
