# Sourced by mvnw, bin/lustre-csi and .ci/run: points JAVA_HOME at a JDK 25.
# Order: $JAVA_HOME if it is 25, then JDK 25 installs in the usual places, then `java` on PATH.
# A JDK's release file names its version; reading it costs nothing, while asking `java` starts a
# whole JVM (about 0.3 s here, paid by every launch of a plugin).
java_major() {
  local version
  version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  if [ -z "$version" ]; then
    version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  fi
  echo "$version"
}

select_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25* /opt/java/openjdk; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate")" = "25" ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if [ "$(java_major "$candidate")" = "25" ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  fi
  echo "lustre-csi needs JDK 25; none found (set JAVA_HOME to a JDK 25)" >&2
  return 1
}
