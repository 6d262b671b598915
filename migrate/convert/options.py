"""What a caller can ask of the conversion; frozen and picklable, so worker processes get a copy."""
from __future__ import annotations

from dataclasses import dataclass

from .links import LinkResolver
from .plugin_videos import LOCAL_VIDEO_FOLDER
from .plugins import ModuleLookup

__all__ = ["ConvertOptions"]


@dataclass(frozen=True)
class ConvertOptions:
    keep_scripts: bool = False
    old_urls: tuple[str, ...] = ()          # absolute links to these sites count as internal
    link_resolver: LinkResolver | None = None
    modules: ModuleLookup | None = None
    # The Joomla folder: what some plugin tags show is only there ({gallery}folder{/gallery} lists it).
    joomla_root: str | None = None
    # AllVideos' folder of local videos, as the site set it (plugin_videos.allvideos_folder).
    video_folder: str = LOCAL_VIDEO_FOLDER
