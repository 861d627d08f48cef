"""The strengths assessment: the standard's nine questions, asked in this order."""

from __future__ import annotations

from collections.abc import Sequence

from casetui.core.private_records import StrengthsAssessment

#: (field name on StrengthsAssessment, the question as asked).
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("overcome", "How have you managed to overcome or survive the challenges you have faced?"),
    ("learned", "What have you learned about yourself in difficult times?"),
    ("positive_influence", "Who has been a positive influence?"),
    ("rely_on", "Who can you rely on?"),
    ("proud_of", "What do you feel proud of?"),
    ("others_say", "What positive things do others say about you?"),
    ("reach_goals", "How do you think you will reach your goals?"),
    (
        "what_would_change",
        "What would need to change, and what could you do to make that happen?",
    ),
    ("challenges_now", "What are your challenges now, and how could you overcome them?"),
)


def newest_first(assessments: Sequence[StrengthsAssessment]) -> list[StrengthsAssessment]:
    return sorted(assessments, key=lambda a: (a.on, a.id), reverse=True)


def comparison(
    current: StrengthsAssessment, earlier: StrengthsAssessment | None
) -> list[tuple[str, str, str | None]]:
    """(question, answer now, answer at the earlier sitting or None) for each question."""
    return [
        (question, getattr(current, name), getattr(earlier, name) if earlier else None)
        for name, question in QUESTIONS
    ]
