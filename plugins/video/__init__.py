"""Video, privately: `[[video:youtube:ID "Title"]]`, `[[video:vimeo:ID]]` and
`[[video:file:media/clip.mp4|webm]]` become click-to-load players whose poster is made at build
time; nothing is requested from the video host before the reader clicks. See README.md
("Video, privately")."""

from .plugin import register

__all__ = ["register"]
