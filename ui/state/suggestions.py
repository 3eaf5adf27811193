"""The suggested changes of a scenario that cannot be met, as first worked out.

The core works the list out once for the scenario as it stood; each item is a target
of its own, so after some are applied the rest still make it solve (MODEL.md
"Suggested changes keep the partnership's rules"). A fresh solve would share the
remaining cut out anew and the list would change under the person's hand, so the
document keeps the first list, with the project it was worked out for, while the
person applies its items one by one (or undoes them). Any other edit makes the
project more than "the first project with some of these items applied": then the
list of the new solve takes its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocator.domain.model import Project
from allocator.errors import ValidationError

if TYPE_CHECKING:  # the results code loads with the engine, after the first frame
    from allocator.engine.result import Relaxation, ScenarioResult


@dataclass(frozen=True)
class ListedSuggestions:
    """A scenario's suggested changes as first worked out.

    ``result`` is the unmet result that listed them: its ``relaxations`` are the list,
    and its ``after_relaxations_*`` describe the split once all of them are made.
    ``project`` is the project it was solved for.
    """

    result: ScenarioResult
    project: Project

    @property
    def items(self) -> tuple[Relaxation, ...]:
        return tuple(self.result.relaxations)

    def pending(self, project: Project) -> tuple[Relaxation, ...]:
        """The items not yet made in ``project``, as listed."""
        from allocator.engine.relax import pending  # the engine: not before needed

        return pending(project, self.items)

    def holds_for(self, project: Project) -> bool:
        """True when ``project`` is the project the list was worked out for with some of
        its items made (or none) and nothing else changed."""
        if project is self.project:
            return True
        from allocator.engine.relax import apply_relaxations

        rest = self.pending(project)
        made = [r for r in self.items if r not in rest]
        try:
            return apply_relaxations(self.project, made) == project
        except ValidationError:
            return False


def follow(
    listed: ListedSuggestions | None, result: ScenarioResult, project: Project
) -> ListedSuggestions | None:
    """What a scenario's kept list becomes when ``result`` comes for ``project``.

    The first list stays while the project is still its own project with some of its
    items made (an unmet result, or the split once the last one is made: an undo takes
    the person back to the list). Otherwise an unmet result starts a new list, and a
    result that solves drops it.
    """
    if listed is not None and listed.holds_for(project):
        return listed
    if result.status == "infeasible":
        return ListedSuggestions(result, project)
    return None
