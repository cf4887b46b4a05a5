# Sourced by the Python conformance scripts: fetch_chat_samples PIP puts the official
# azure-communication-chat 1.2.0 sdist (its samples, unmodified) under $work once, with that pip.
fetch_chat_samples() {
  if [ ! -d "$work/azure-communication-chat-1.2.0/samples" ]; then
    "$1" download --quiet --disable-pip-version-check --no-binary :all: --no-deps \
      "azure-communication-chat==1.2.0" -d "$work"
    tar xzf "$work"/azure[-_]communication[-_]chat-1.2.0.tar.gz -C "$work"
  fi
}
