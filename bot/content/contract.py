"""What the content must contain: required intents and routes, and who each reply must name.

Pure data. Edited by the lead when the service map changes, never by the loader.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

CRIME_GROUPS: tuple[str, ...] = ("money", "accounts", "abuse", "children")
SAFETY_INTENTS: frozenset[str] = frozenset({"emergency", "self_harm_crisis"})
# Responses that belong to no intent: the engine's own replies.
STANDALONE_RESPONSES: frozenset[str] = frozenset({"fallback", "system"})

MIN_EXAMPLES = {"crime": 30, "service": 12, "negative": 30}
MAX_FIRST_REPLY = 900
MAX_SECTION_TEXT = 1500
MAX_ANSWER_TEXT = 1500
MAX_MESSAGE = 4096  # Telegram's limit for any one message
MAX_TITLE = 40
MAX_SECTION_TITLE = 24
MAX_BUTTON_LABEL = 40
MAX_CALLBACK_BYTES = 64
ANSWER_IDS: tuple[str, ...] = ("yes", "no", "unsure")
REQUIRED_ANSWERS: tuple[str, ...] = ("yes", "no")
SUPPORT_ROUTE = "victim_services"  # every crime first reply names it
REVIEW_MONTHS = 6

REQUIRED_CRIME: tuple[str, ...] = (
    "phishing",
    "online_shopping_fraud",
    "investment_fraud",
    "romance_fraud",
    "card_fraud",
    "impersonation_fraud",
    "account_hacking",
    "malware_ransomware",
    "identity_theft",
    "sextortion",
    "intimate_image_abuse",
    "cyberflashing",
    "cyberbullying",
    "online_harassment",
    "threatening_communications",
    "false_communications",
    "encouraging_self_harm",
    "flashing_images",
    "online_child_abuse",
    "radicalisation",
    "online_hate_crime",
    "business_cyber_attack",
    "data_breach",
    "money_mule",
)
REQUIRED_SERVICE: tuple[str, ...] = (
    "greeting",
    "thanks",
    "goodbye",
    "help",
    "how_to_report",
    "victim_support",
    "protect_yourself",
    "online_safety_act",
    "emergency",
    "self_harm_crisis",
    "talk_to_human",
    "privacy",
)
REQUIRED_ROUTES: tuple[str, ...] = (
    "emergency_999",
    "police_101",
    "report_fraud",
    "phishing_email",
    "scam_text_7726",
    "bank_159",
    "ceop",
    "iwf",
    "childline",
    "nspcc",
    "revenge_porn_helpline",
    "stopncii",
    "report_harmful_content",
    "counter_terrorism",
    "act_early",
    "true_vision",
    "stop_hate_uk",
    "samaritans",
    "shout",
    "victim_services",
    "victim_support_national",
    "ico",
    "citizens_advice",
    "digital_mot",
)
OPTIONAL_ROUTES: tuple[str, ...] = ("scam_website", "scam_ads", "money_mules", "nhs_111")

_FRAUD = ("bank_159", "report_fraud")
# Routes each first_reply must name with a contact placeholder (not just `.name`).
MUST_MENTION: dict[str, tuple[str, ...]] = {
    "phishing": ("phishing_email", "scam_text_7726"),
    "online_shopping_fraud": ("bank_159", "report_fraud", "citizens_advice"),
    "investment_fraud": _FRAUD,
    "romance_fraud": _FRAUD,
    "card_fraud": _FRAUD,
    "impersonation_fraud": _FRAUD,
    "identity_theft": _FRAUD,
    "account_hacking": ("report_fraud",),
    "malware_ransomware": ("report_fraud",),
    "business_cyber_attack": ("report_fraud",),
    "sextortion": ("police_101", "revenge_porn_helpline", "childline"),
    "intimate_image_abuse": ("revenge_porn_helpline", "stopncii", "police_101"),
    "cyberflashing": ("police_101",),
    "false_communications": ("police_101",),
    "flashing_images": ("police_101",),
    "threatening_communications": ("emergency_999", "police_101"),
    "encouraging_self_harm": ("police_101", "samaritans"),
    "cyberbullying": ("report_harmful_content", "childline"),
    "online_harassment": ("police_101", "report_harmful_content"),
    "online_child_abuse": ("emergency_999", "ceop", "iwf"),
    "radicalisation": ("counter_terrorism", "act_early"),
    "online_hate_crime": ("police_101", "stop_hate_uk"),
    "data_breach": ("ico",),
    "money_mule": ("bank_159", "police_101"),
    "how_to_report": ("emergency_999", "police_101", "report_fraud"),
    "victim_support": ("victim_services",),
    "protect_yourself": ("digital_mot",),
    "emergency": ("emergency_999",),
    "self_harm_crisis": ("samaritans", "emergency_999"),
    "talk_to_human": ("police_101", "victim_services"),
}

# A safety trigger or blocker made only of these would fire on (or silence) ordinary messages.
# Only words with no meaning of their own: "now", "help", "can not go on" stay allowed.
SAFETY_COMMON_WORDS: frozenset[str] = frozenset(
    (
        *("i", "a", "an", "the", "my", "me", "mine", "to", "it", "its", "is", "and", "of"),
        *("in", "on", "at", "for", "with", "from", "by", "as", "or", "but", "if", "so"),
        *("be", "am", "are", "was", "were", "been", "im", "you", "your", "we", "us", "our"),
        *("he", "him", "his", "she", "her", "they", "them", "their", "this", "that"),
        *("these", "those", "there", "what", "who", "do", "did", "does", "has", "have"),
        *("had", "some", "any", "just", "very", "really", "oh", "ok", "okay", "yes"),
    )
)
