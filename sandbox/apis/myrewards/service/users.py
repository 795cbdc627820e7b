"""Users, user groups and registration questions: the programme's rules for who may join.

A programme identifies users by one field (username, email or mobile): it is mandatory
and unique within the programme. Usernames and emails are always unique within the
programme (so a claim by username or email names one user); a mobile is unique when the
programme identifies users by it or lists it as required ("must be unique to the
programme if required"). The other
required fields must be present; ``tsandcs`` and ``consented``, when required, must be
true. Mandatory registration questions need an answer. A user without a group joins the
programme's default group. Values are stored and echoed exactly as the client sent them.
"""
from __future__ import annotations

from datetime import datetime

from sandbox.core import ids
from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from .values import ANSWERS, flag, is_blank, whole_number

USER_IDS = "myrewards:user"
LOGIN_FIELDS = ("username", "email", "mobile")
ALWAYS_UNIQUE = ("username", "email")
MUST_BE_TRUE = ("tsandcs", "consented")


# -- reads ----------------------------------------------------------------------------

def registration_questions(db, programme_id: int) -> list[dict]:
    return store.registration_questions(db, programme_id)


def user_groups(db, programme_id: int) -> list[dict]:
    """A flat list in hierarchy order: each group followed by its children, siblings
    by position (equal positions alphabetically, as the vendor's staging does)."""
    groups = store.user_groups(db, programme_id)
    children: dict = {}
    for group in groups:
        children.setdefault(group["parent_id"], []).append(group)
    ordered, seen = [], set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        group = stack.pop()
        if group["id"] in seen:
            continue
        seen.add(group["id"])
        ordered.append(group)
        stack.extend(reversed(children.get(group["id"], [])))
    return ordered + [g for g in groups if g["id"] not in seen]


def user_group(db, programme_id: int, group_id: int | None) -> dict:
    found = None if group_id is None else store.user_group(db, programme_id, group_id)
    if found is None:
        raise errors.not_found("User group")
    return found


# -- writes ---------------------------------------------------------------------------

def create_user(db, now: datetime, programme_id: int, given: dict, problems: list[str]) -> dict:
    """Create a user from the fields ``given`` (already format-checked; ``problems``
    lists format failures). 422 with every problem found, else the new user."""
    with write_transaction(db):
        profile = _merge({}, given)
        _check(db, programme_id, profile, problems, given, user_id=None)
        user = {"id": ids.next_value(db, USER_IDS), "programme_id": programme_id, "profile": profile,
                "created_at": to_db(now), "updated_at": to_db(now), **_login_columns(profile)}
        store.insert_user(db, user)
    return user


def update_user(db, now: datetime, programme_id: int, user_id: int | None, given: dict,
                problems: list[str]) -> dict:
    """PUT and PATCH alike: the fields given replace the stored ones; answers replace
    the answer to the same question. The result must still satisfy every rule."""
    with write_transaction(db):
        user = store.user(db, programme_id, user_id) if user_id is not None else None
        if user is None:
            raise errors.not_found("User")
        profile = _merge(user["profile"], given)
        _check(db, programme_id, profile, problems, given, user_id=user_id)
        user.update(profile=profile, updated_at=to_db(now), **_login_columns(profile))
        store.update_user(db, user)
    return user


def _merge(profile: dict, given: dict) -> dict:
    merged = {**profile, **{k: v for k, v in given.items() if k != ANSWERS}}
    answers = {_question_key(a): a for a in profile.get(ANSWERS, [])}
    for answer in given.get(ANSWERS) or []:
        answers[_question_key(answer)] = answer
    merged[ANSWERS] = list(answers.values())
    return merged


def _question_key(answer: dict):
    number = whole_number(answer.get("registration_question_id"))
    return number if number is not None else id(answer)


def _login_columns(profile: dict) -> dict:
    return {f: None if is_blank(profile.get(f)) else str(profile[f]).strip() for f in LOGIN_FIELDS}


def _check(db, programme_id: int, profile: dict, problems: list[str], given: dict, user_id) -> None:
    """Raise 422 listing ``problems`` and every programme rule ``profile`` breaks;
    fills in the default user group when none is given."""
    programme = store.programme(db, programme_id)
    bad_format = {p.split(" ", 1)[0].split("[", 1)[0] for p in problems}
    problems = list(problems)
    required = [programme["identifier_field"]] + [
        f for f in programme["required_fields"] if f != programme["identifier_field"]]
    for field in required:
        if field in bad_format:
            continue
        value = profile.get(field)
        if is_blank(value):
            problems.append(f"{field} can't be blank")
        elif field in MUST_BE_TRUE and flag(value) is not True:
            problems.append(f"{field} must be accepted")
    for field in LOGIN_FIELDS:
        if (field in required or field in ALWAYS_UNIQUE) and field not in bad_format and not is_blank(profile.get(field)):
            taken = [u for u in store.users_with(db, programme_id, field, str(profile[field]).strip())
                     if u["id"] != user_id]
            if taken:
                problems.append(f"{field} should be unique")
    problems.extend(_group_problems(db, programme_id, profile, given))
    problems.extend(_answer_problems(db, programme_id, profile))
    if problems:
        raise errors.unprocessable(problems)


def _group_problems(db, programme_id: int, profile: dict, given: dict) -> list[str]:
    group_id = profile.get("user_group_id")
    if is_blank(group_id):
        default = store.default_user_group(db, programme_id)
        profile["user_group_id"] = None if default is None else str(default["id"])
        return []
    if "user_group_id" in given and store.user_group(db, programme_id, whole_number(group_id)) is None:
        return [f"user_group_id {group_id} is not a user group of this programme"]
    return []


def _answer_problems(db, programme_id: int, profile: dict) -> list[str]:
    questions = {q["id"]: q for q in store.registration_questions(db, programme_id)}
    answered, problems = set(), []
    for i, answer in enumerate(profile[ANSWERS]):
        if "registration_question_id" not in answer:
            continue                         # the format check already said so
        question_id = whole_number(answer["registration_question_id"])
        if question_id not in questions:
            problems.append(f"{ANSWERS}[{i}].registration_question_id {answer['registration_question_id']} "
                            "is not a registration question of this programme")
        elif not is_blank(answer.get("answer")):
            answered.add(question_id)
    for question in questions.values():
        if question["mandatory"] and question["id"] not in answered:
            problems.append(f"{ANSWERS}: registration question {question['id']} "
                            f"({question['label']}) must be answered")
    return problems
