/* Live logs: one Socket.IO connection to /logs; subscriptions de-duplicated by seq. */
(function () {
  "use strict";

  let socket = null;
  const watchers = new Map(); // execution id -> {lastSeq, onLines, onStatus}
  const statusListeners = [];
  const interfaceListeners = [];

  function connect() {
    if (socket) return socket;
    socket = io("/logs", { transports: ["websocket", "polling"] });
    socket.on("log", (event) => {
      const watcher = watchers.get(event.execution_id);
      if (!watcher || event.seq <= watcher.lastSeq) return; // replayed already
      watcher.lastSeq = event.seq;
      watcher.onLines(event.stream, event.lines);
    });
    socket.on("status", (event) => {
      const watcher = watchers.get(event.execution_id);
      if (watcher && watcher.onStatus) watcher.onStatus(event);
      statusListeners.forEach((listener) => listener(event));
    });
    socket.on("interface", (event) => interfaceListeners.forEach((listener) => listener(event)));
    socket.on("error", (event) => {
      const watcher = event && watchers.get(event.execution_id);
      if (watcher && watcher.onError) watcher.onError(event.message);
    });
    socket.on("connect", () => {
      // After a reconnect, ask again: the server replays and seq drops duplicates.
      watchers.forEach((_watcher, executionId) => socket.emit("subscribe", { execution_id: executionId }));
    });
    return socket;
  }

  function watch(executionId, handlers) {
    watchers.set(executionId, { lastSeq: 0, ...handlers });
    const connection = connect();
    if (connection.connected) connection.emit("subscribe", { execution_id: executionId });
  }

  function unwatch(executionId) {
    watchers.delete(executionId);
  }

  function onAnyStatus(listener) {
    statusListeners.push(listener);
    connect();
  }

  function onInterface(listener) {
    interfaceListeners.push(listener);
    connect();
  }

  window.SM.live = { watch, unwatch, onAnyStatus, onInterface };
})();
