"""Build the bot's replies (text, buttons, routes) from the content catalog.

Pure: no I/O, no telegram. Templates are rendered once per catalog and cached, so a turn
only assembles ready-made parts. Button data is `<kind>:<id>`, always within 64 bytes.
"""

from __future__ import annotations

from functools import cached_property

from bot.core.age import AgeBand
from bot.core.model import Button, Content, Reply, Response
from bot.core.template import render

GROUPS: tuple[tuple[str, str], ...] = (
    ("money", "group_money"),
    ("accounts", "group_accounts"),
    ("abuse", "group_abuse"),
    ("children", "group_children"),
    ("support", "group_support"),
)
SUPPORT_INTENTS = (
    "how_to_report",
    "victim_support",
    "talk_to_human",
    "protect_yourself",
    "online_safety_act",
    "privacy",
)
SAFETY_INTENT_IDS = frozenset({"emergency", "self_harm_crisis"})
FALLBACK = "fallback"
# Button data of "Clear this chat": the engine forgets the chat and Telegram deletes it.
# Same value as engine.BUTTON_CLEAR (the engine imports this module, not the reverse).
BUTTON_CLEAR = "clear"

# Engine texts used when responses/system.yaml lacks a key, so a half-edited file still
# leaves the bot able to talk. The validator reports the missing key.
DEFAULT_TEXTS: dict[str, str] = {
    "menu_prompt": "What would you like help with? Choose the closest below.",
    "group_prompt": "Choose the one closest to what happened:",
    "did_you_mean": "I want to get this right for you. Is it one of these?",
    "something_else": "Something else",
    "something_else_reply": "Please tell me a little more about what happened, in your own words.",
    "main_menu": "Main menu",
    "clear_chat": "Clear this chat",
    "non_text": "I can only read written messages. Please tell me in words what happened.",
    "forget_done": "Done. I have deleted what I remembered about this chat.",
    "forget_failed": "Sorry, I could not delete that just now. Please try /forget again soon.",
    "cancel_done": "OK, let's start again. What would you like help with?",
    "unknown_command": "I don't know that command. Try /menu or /help.",
    "stale_button": "That button is from an older message. Here is the menu again.",
    "group_private": "This sounds personal. Please message me privately so others can't see.",
    "welcome": "Hello. Tell me what happened, in your own words, or choose a topic below.",
    "flood": "You're sending messages very fast. I'll pause for a minute, then carry on.",
    "sorry": "Sorry, something went wrong on my side. Please try again.",
    "other_language": "Sorry, I can only read English for now. Please choose a topic below.",
    "privacy_review_on": (
        "One exception: to help improve me, messages I couldn't understand are kept for [days] "
        "days, not linked to you or this chat. Phone numbers, emails, links, bank details and "
        "names are removed first."
    ),
    "command_start": "Start again",
    "command_menu": "Show what I can help with",
    "command_report": "Where to report a crime",
    "command_support": "Where to get support",
    "command_protect": "How to protect yourself",
    "command_privacy": "What I keep about you",
    "command_forget": "Delete what I know about this chat",
    "command_help": "How to use this bot",
    "command_cancel": "Stop the current question",
    "group_money": "Money and fraud",
    "group_accounts": "Accounts and devices",
    "group_abuse": "Abuse, threats and harassment",
    "group_children": "Children and young people",
    "group_support": "Report or get support",
}


class Composer:
    """Turns content into Reply values; one per catalog, swapped with it on reload."""

    def __init__(self, content: Content) -> None:
        self.content = content

    # ------------------------------------------------------------ texts

    def text(self, key: str) -> str:
        """An engine text, rendered; falls back to the built-in wording."""
        return self._system[key] if key in self._system else DEFAULT_TEXTS.get(key, key)

    @cached_property
    def _system(self) -> dict[str, str]:
        return {
            k: render(v, self.content.routes)[0].strip() for k, v in self.content.system.items()
        }

    def _rendered(self, template: str) -> tuple[str, tuple[str, ...]]:
        cache = self._cache
        if template not in cache:
            text, routes = render(template, self.content.routes)
            cache[template] = (text.strip(), routes)
        return cache[template]

    @cached_property
    def _cache(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        return {}

    # ------------------------------------------------------------ buttons

    def menu_button(self) -> Button:
        return Button(self.text("main_menu"), "menu:main")

    def main_menu(self) -> Reply:
        rows = tuple((Button(self.text(label), f"menu:{group}"),) for group, label in GROUPS)
        return Reply(self.text("menu_prompt"), rows)

    def group_menu(self, group: str) -> Reply | None:
        if group == "support":
            ids = [i for i in SUPPORT_INTENTS if i in self.content.intents]
        else:
            ids = sorted(
                (i.id for i in self.content.intents.values() if i.group == group),
                key=lambda i: self.content.intents[i].title,
            )
        if not ids:
            return None
        rows = [(self.intent_button(i),) for i in ids]
        rows.append((self.menu_button(),))
        return Reply(self.text("group_prompt"), tuple(rows))

    def intent_button(self, intent_id: str) -> Button:
        return Button(self.content.intents[intent_id].title, f"intent:{intent_id}")

    def section_buttons(self, response: Response, *, skip: str | None = None) -> list[tuple]:
        """Section buttons two a row; a quick-exit topic puts "Clear this chat" first."""
        buttons = [
            Button(s.title, f"section:{response.id}:{s.id}")
            for s in response.sections
            if s.id != skip
        ]
        rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        if response.quick_exit:
            # Someone whose phone may be checked needs the way out before anything else.
            rows.insert(0, (Button(self.text("clear_chat"), BUTTON_CLEAR),))
        rows.append((self.menu_button(),))
        return rows

    # ------------------------------------------------------------ replies

    def intent_replies(
        self, intent_id: str, *, ask: bool = True, age: AgeBand | None = None
    ) -> tuple[Reply, ...]:
        """The first reply for an intent, plus its follow-up question when there is one.

        An age question is skipped when the message already gave the age: that branch's
        routes are the first reply.
        """
        response = self.content.responses[intent_id]
        if age is not None and response.question is not None and response.question.kind == "age":
            answered = self.answer_reply(intent_id, age)
            if answered is not None:
                return (answered,)
        text, routes = self._rendered(response.first_reply)
        safety = intent_id in SAFETY_INTENT_IDS
        first = Reply(text, tuple(self.section_buttons(response)), intent_id, routes, safety)
        if not (ask and response.question):
            return (first,)
        return (first, self.question_reply(intent_id))

    def question_reply(self, intent_id: str) -> Reply:
        question = self.content.responses[intent_id].question
        assert question is not None
        buttons = tuple((Button(a.label, f"answer:{intent_id}:{a.id}"),) for a in question.answers)
        return Reply(self._rendered(question.text)[0], buttons, intent_id)

    def section_reply(self, intent_id: str, section_id: str) -> Reply | None:
        response = self.content.responses.get(intent_id)
        section = (
            next((s for s in response.sections if s.id == section_id), None) if response else None
        )
        if response is None or section is None:
            return None
        text, routes = self._rendered(section.text)
        buttons = tuple(self.section_buttons(response, skip=section_id))
        return Reply(text, buttons, intent_id, routes, intent_id in SAFETY_INTENT_IDS)

    def answer_reply(self, intent_id: str, answer_id: str) -> Reply | None:
        response = self.content.responses.get(intent_id)
        question = response.question if response else None
        answer = (
            next((a for a in question.answers if a.id == answer_id), None) if question else None
        )
        if response is None or answer is None:
            return None
        text, routes = self._rendered(answer.text)
        return Reply(text, tuple(self.section_buttons(response)), intent_id, routes)

    def fallback(self) -> Reply:
        response = self.content.responses.get(FALLBACK)
        if response is None:
            return self.main_menu()
        text, routes = self._rendered(response.first_reply)
        return Reply(text, self.main_menu().buttons, None, routes)

    def did_you_mean(self, intents: list[str]) -> Reply:
        # "offer:" rather than "intent:" so that a taken offer can be counted apart from the menu.
        rows = [
            (Button(self.content.intents[i].title, f"offer:{i}"),)
            for i in intents[:3]
            if i in self.content.intents
        ]
        rows.append((Button(self.text("something_else"), "other"),))
        return Reply(self.text("did_you_mean"), tuple(rows))

    def simple(self, key: str, *, menu: bool = True, buttons: tuple = ()) -> Reply:
        rows = buttons + (((self.menu_button(),),) if menu else ())
        return Reply(self.text(key), rows)
