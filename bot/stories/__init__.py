"""Stories: which reports are about one news event (see docs/stories.md).

``StoryAssigner`` takes items in arrival order and answers with a story id for
each: the id of the story's first item. Pure; the pipeline persists the ids.
"""

from bot.stories.assign import (
    DEFAULT_RULES,
    STORY_WINDOW,
    Assignment,
    Rules,
    StoryAssigner,
)
from bot.stories.kinds import Kind

__all__ = ["DEFAULT_RULES", "STORY_WINDOW", "Assignment", "Kind", "Rules", "StoryAssigner"]
