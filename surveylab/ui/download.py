"""Hand a file made in the kernel to the browser as a download, in one step.

:class:`Downloader` is an invisible anywidget: :meth:`Downloader.save` sends the bytes to the
page, which saves them under the file's name (an object URL clicked once, then released).
Nothing leaves the machine; the bytes travel over the widget's own connection as a binary
buffer (no base64 in the page).
"""

from __future__ import annotations

import anywidget

_ESM = """
function render({ model, el }) {
  el.style.display = "none";
  function save(msg, buffers) {
    if (!msg || msg.kind !== "download" || !buffers || !buffers.length) {
      return;
    }
    const blob = new Blob([buffers[0]], { type: msg.type || "application/octet-stream" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = msg.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  model.on("msg:custom", save);
  return () => model.off("msg:custom", save);
}
export default { render };
"""

#: Media types of the files the dashboards hand out, by file extension.
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "las": "text/plain",
    "xml": "application/xml",
    "html": "text/html",
    "pdf": "application/pdf",
}


class Downloader(anywidget.AnyWidget):
    """Saves files in the browser; must be displayed (it draws nothing) to receive them."""

    _esm = _ESM

    def save(self, file_name: str, data: bytes) -> None:
        """Have the page save ``data`` as ``file_name`` (the browser's download)."""
        ext = file_name.rsplit(".", 1)[-1].lower()
        self.send(
            {"kind": "download", "name": file_name, "type": MEDIA_TYPES.get(ext, "")},
            buffers=[data],
        )
