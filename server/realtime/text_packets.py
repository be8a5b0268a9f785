"""Socket.IO packets without binary attachments: the manager only ever sends JSON text.

python-socketio walks every value of every outgoing event to look for bytes; for a batch
of live log lines that walk costs more than encoding the batch. Declaring that no event
carries binary data skips it (an event with bytes would fail to encode, loudly).
"""

from __future__ import annotations

from socketio.packet import Packet


class TextPacket(Packet):
    """A Socket.IO packet whose data is always plain JSON."""

    uses_binary_events = False
