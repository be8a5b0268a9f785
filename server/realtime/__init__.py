"""Live logs over Socket.IO (namespace ``/logs``)."""
