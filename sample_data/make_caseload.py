"""Make the fictional sample caseload, ``sample_data/caseload.json``.

Every person, place and event in the caseload is invented. Trainers use it to
teach the casetui workflow: a caseload list with some check-ins overdue, goal
sheets in clients' own words, needs at every horizon (including needs a client
declined), six months and more of meeting history, and case managers' own time
blocks (one of them with no self-care block yet, for the supervisor view).

The casework is there too: a directory of partner agencies, referrals in every
status with their histories, releases of information (one expiring, one expired,
one revoked, one renewed, and a referral with none yet), strengths assessments
with reassessments to compare, safety plans, handoffs between case managers,
closed cases (one closed and later reopened) and legal matters for the clients who
chose to engage. Every client has an intake assessment of the basic needs (hygiene
and a social need among them) and health care, so the accreditation readiness list
shows a mix: most clients pass, several need attention, and a few fail, each for a
reason worth teaching (see ``INTAKE_OPEN`` and ``INTAKE_SKIPPED``): a new client whose
intake is still going, no social need recorded, medical care marked "not needed",
progress not talked over for two check-in intervals, and a client on hold for weeks.

For the funders' reports there are three funding sources (a VOCA subgrant, a state
grant and a foundation's emergency fund, every award number made up), the answers
each client chose to give for them (see ``FUNDER_FIELDS``: some not asked yet, some
"not reported", one client who declined them all), a few household members (children,
a partner; some also harmed and given support, some not), and a handful of services
given without a meeting (``GIVEN_SERVICES``: rights information, emergency funds,
shelter nights). None of it changes the readiness list or Today.

For the demo user (st_sample01) every part of Today has something in it as of the
caseload's day: overdue and due check-ins, meetings planned for the week, a court
date, referrals to follow up, consents to renew and the day's own time blocks. The
casework's free text names no calendar dates, because ``casetui demo`` moves every
date so that the "as of" day is today.

Run it from anywhere with the project installed::

    python sample_data/make_caseload.py

The output is deterministic: a fixed random seed and a fixed "as of" date mean
the same script always writes the same bytes. Before writing, the script checks
its own output with casetui's validators and rules, and refuses to write a
caseload that is invalid, that breaks a reference or that uses graphic wording.

The catalog needs "Life stabilisation" and "Financial stability" are left out on
purpose: their labels trip the wording check (which bans any word starting with
"stab"), and the custom needs below cover the same ground.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from casetui.core.accreditation import readiness
from casetui.core.case_rules import close_case, consent_state, reassign, reopen_case, valid_consent
from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    ACTIVE_GOAL_STATUSES,
    LEGAL_TAB_ENGAGEMENTS,
    OPEN_NEED_STATUSES,
    BlockKind,
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    Domain,
    FundingProgram,
    GoalStatus,
    Horizon,
    LegalKind,
    LegalStatus,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    Relationship,
    ServiceKind,
)
from casetui.core.readiness_checks import CaseRecords, Verdict
from casetui.core.readiness_report import in_program
from casetui.core.records import Client, NeedItem
from casetui.core.recordset import (
    FORMAT_VERSION,
    RecordSet,
    check_references,
    describe_counts,
    parse_interchange,
)
from casetui.core.rules import (
    ContactSummary,
    days_overdue,
    goal_count_note,
    meeting_dates,
    summarise_contact,
)
from casetui.core.strengths import QUESTIONS
from casetui.core.today import Section, TodayItem, today_items

AS_OF = date(2026, 11, 16)
#: The case manager the demo opens as (casetui.ui.launch.DEMO_OWNER).
DEMO_OWNER = "st_sample01"
SEED = 20261116
OUT = Path(__file__).with_name("caseload.json")
NOTE = (
    "Fictional training data, made by sample_data/make_caseload.py. Every person, place "
    "and event in it is invented; any likeness to real people is a coincidence. Dates "
    "are as of the 'as_of' day."
)
# The same pattern as tests/core/test_sample_data.py: words this caseload never uses.
BANNED = re.compile(
    r"\b(rape[ds]?|raping|beat(en|ing)?|blood|bruis\w*|strangl\w*|kill\w*|gun|knife|"
    r"stab\w*|choke\w*|naked|sex(ual)? acts?|victim)\b",
    re.IGNORECASE,
)

A, H, C = ClientStatus.ACTIVE, ClientStatus.ON_HOLD, ClientStatus.CLOSED
SHORT, MID, LONG = Horizon.SHORT_TERM, Horizon.INTERMEDIATE, Horizon.LONG_TERM

# (name, capacity, weekly admin-hours target)
STAFF: tuple[tuple[str, int, float], ...] = (
    ("Priya Oakhaven", 25, 6.0),
    ("Daniel Riverstone", 20, 5.0),
    ("Grace Fernwood", 15, 4.0),
)


class Person(NamedTuple):
    """One fictional client. ``contact`` holds c (call), t (text), v (voicemail)."""

    name: str
    pronouns: str
    staff: int  # 1-based index into STAFF
    language: str
    intake: str
    interval: int
    legal: str
    contact: str
    goals: str  # keys of GOALS, in priority order
    status: ClientStatus = A
    interpreter: bool = False
    overdue: int = 0  # days past the agreed check-in on AS_OF (active clients)
    end: str = ""  # the day check-ins paused (on hold) or the case closed
    safe: str = ""
    culture: str = ""
    faith: str = ""
    extra: tuple[str, ...] = ()  # further need keys, catalog or custom
    #: The client chose the check-in interval (accreditation rule 9). A few still have
    #: the agency's default, to teach the readiness list.
    agreed: bool = True

    @property
    def first(self) -> str:
        return self.name.rsplit(" ", 1)[0]


# The data tables below are laid out by hand.
# fmt: off
P = Person
PEOPLE: tuple[Person, ...] = (
    P("Amara Bluefinch", "she/her", 1, "English", "2026-03-10", 14, "considering", "ctv",
      "yard ged job_cna budget", extra=("childcare",),
      safe="Call or text after 17:00; her sister knows about the agency.",
      culture="Nothing in particular to plan around, Amara says; meetings near the school "
      "suit her best."),
    P("Tomás Willowbrook", "he/him", 2, "Spanish", "2026-01-13", 14, "engaged", "t",
      "work_permit english_work own_room family_call ids", interpreter=True,
      safe="Text only, in Spanish. Shared phone — say it is the library about a book hold.",
      culture="Prefers to meet in Spanish; his family in Oaxaca is central to his plans."),
    P("Mei Lin Saltmarsh", "she/her", 1, "Cantonese", "2025-11-04", 21, "not_engaged", "cv",
      "english_work sleep job_fair_pay bank friends", interpreter=True,
      safe="Calls are fine; voicemail with a first name only, no agency name.",
      culture="Celebrates Lunar New Year with her aunt's family; prefers not to schedule "
      "that week."),
    P("Kwame Larkspur", "he/him", 2, "English", "2026-06-15", 14, "engaged", "ct",
      "court cdl counsellor dentist", overdue=5,
      culture="Speaks Twi with family and prefers English for meetings.",
      faith="Attends church on Sunday mornings and Wednesday evenings; please avoid those "
      "times."),
    P("Fatima Cedarholt", "she/her", 3, "Arabic", "2026-02-04", 14, "considering", "t",
      "kids_school english protective_order mosque driving", interpreter=True,
      safe="Text only, in Arabic, with no agency name in the message.",
      culture="Prefers a woman interpreter, and not one from her home town.",
      faith="Observes Ramadan; that month she prefers late-morning appointments and no "
      "meetings over food."),
    P("Olek Thistledown", "he/him", 1, "Ukrainian", "2026-04-21", 14, "engaged", "ctv",
      "immigration work_permit english_work job_fair_pay doctor family_call", interpreter=True,
      safe="OK to call, text or leave a voicemail.",
      culture="Likes direct, practical conversations and written next steps he can keep."),
    P("Aroha Stonecrest", "she/they", 2, "English", "2026-05-12", 21, "not_engaged", "ctv",
      "college friends walk music",
      culture="Māori. Whānau (extended family) matters deeply; a cousin sometimes joins "
      "meetings when Aroha invites her."),
    P("Linh Marshwren", "she/her", 1, "Vietnamese", "2025-12-02", 21, "not_engaged", "c",
      "nails bank english kids_time", interpreter=True,
      safe="Call only between 10:00 and 14:00 on weekdays. No texts or voicemail.",
      culture="Celebrates Tết; prefers not to schedule that week."),
    P("Selam Hollowmere", "she/her", 3, "Amharic", "2026-07-08", 14, "considering", "ct",
      "shelter_to_transitional job_fair_pay english_work church", interpreter=True,
      faith="Ethiopian Orthodox; observes fasting days, so please avoid lunch meetings on "
      "Wednesdays and Fridays.", extra=("familiar_food",)),
    P("Wideline Moonfield", "she/her", 3, "Haitian Creole", "2026-08-18", 7, "engaged", "t",
      "court immigration kids_school food", interpreter=True,
      safe="Text first to ask whether it is a good time to call.",
      culture="Prefers the same interpreter each time when possible."),
    P("Joaquim Ashgrove", "he/him", 2, "Portuguese", "2026-03-24", 30, "not_engaged", "ctv",
      "chef english_work bank", safe="Works nights at a bakery; best reached after 14:00.",
      culture="Grew up in the Azores; prefers Portuguese for anything written, English is "
      "fine in meetings."),
    P("Ji-woo Heronfield", "they/them", 1, "Korean", "2026-09-15", 14, "considering", "t",
      "phone own_room counsellor art", safe="Text only. Use the name 'Jay' in messages.",
      culture="Bilingual; prefers English in meetings and Korean for paperwork."),
    P("Rosa Quillfeather", "she/her", 1, "Spanish", "2025-10-07", 30, "engaged", "ctv",
      "yard custody business dentist sing", interpreter=True,
      culture="Likes meetings to start with a coffee and a little small talk.",
      faith="Catholic; sings in the Spanish-language Mass choir on Sundays."),
    P("Marisol Windhaven", "she/her", 2, "Spanish", "2026-05-05", 7, "considering", "ct",
      "pet_home ged childcare job_fair_pay counsellor driving",
      safe="Call or text; if someone else answers, say it is the pharmacy.",
      culture="Family recipes and her dog Biscuit come up often; prefers Spanish for "
      "anything about the children.", extra=("peer_support",)),
    P("Dalisay Seabright", "she/her", 3, "Tagalog", "2026-04-08", 21, "not_engaged", "ctv",
      "family_call college bank walk",
      culture="Sends money home to her parents each month; plans her budget around that.",
      faith="Catholic; would like to hear about Filipino community Masses nearby."),
    P("Jolene Birchwater", "she/her", 1, "English", "2026-06-02", 14, "considering", "c",
      "divorce own_lease clothes_interview run", overdue=12,
      safe="Call her work number 9:00–17:00 only. No texts: her phone is checked by others."),
    P("Sky Meadowlark", "they/them", 2, "English", "2026-08-04", 14, "considering", "t",
      "phone shelter_to_transitional ged friends", overdue=9,
      safe="Text only; use 'Sky' and no agency name.", agreed=False,
      culture="Sky says nothing in particular applies for now."),
    P("Parisa Juniperhill", "she/her", 1, "Dari", "2026-07-22", 14, "not_engaged", "cv",
      "english_work certificate kids_school calm", interpreter=True,
      culture="Celebrates Nowruz in March; prefers a lighter schedule that week."),
    P("Hodan Reedmoor", "she/her", 3, "Somali", "2026-03-17", 14, "considering", "ct",
      "benefits mosque english yard", interpreter=True,
      faith="Muslim; prefers a woman case manager and a woman interpreter."),
    P("Ana Lucía Foxglove", "she/her", 2, "Spanish", "2026-09-29", 14, "not_engaged", "t",
      "phone counsellor own_room", safe="Texts in Spanish; keep them short, no agency name.",
      culture="Guatemalan; likes Spanish for anything written and English when talking."),
    P("Maricel Tidewater", "she/her", 1, "Tagalog", "2026-10-06", 7, "considering", "c",
      "ids work_permit family_call calm", interpreter=True,
      safe="Call the shelter front desk and ask for Maricel. No voicemail.",
      culture="Prefers Tagalog for anything important, even though her English is good."),
    P("Esperanza Goldcrest", "she/her", 3, "Spanish", "2026-11-10", 14, "not_engaged", "ct",
      "shelter_to_transitional food clothes_interview",
      safe="Call or text her new number only; the old number is not safe."),
    P("Malik Ironwood", "he/him", 1, "English", "2026-02-17", 21, "engaged", "ctv",
      "custody job_fair_pay own_lease music", overdue=3,
      culture="Coaches his son's Saturday football team; weekday meetings only."),
    P("Bao Riverreed", "he/him", 2, "Vietnamese", "2026-06-24", 21, "not_engaged", "c",
      "work_permit english_work doctor cook", interpreter=True, overdue=20,
      safe="Call in the evening; his housemate answers sometimes and knows about the agency.",
      culture="Cooking food from home for friends is how he feels settled here."),
    P("Leilani Palmshade", "she/her", 1, "English", "2026-01-27", 30, "not_engaged", "ctv",
      "college budget garden mentor", overdue=38,
      culture="Native Hawaiian; family gatherings on Sundays come first."),
    P("Yusuf Sandpiper", "he/him", 2, "Arabic", "2026-08-26", 14, "considering", "ct",
      "mosque job_fair_pay english_work own_room", interpreter=True,
      faith="Prefers meetings after Friday prayers."),
    P("Dana Greenholm", "she/they", 2, "English", "2026-04-14", 14, "not_engaged", "t",
      "pet_home credit counsellor computer", safe="Text only; email is not safe.",
      culture="Dana would rather not say more for now; noted at Dana's request."),
    P("Luana Cloudberry", "she/her", 1, "Portuguese", "2026-02-24", 21, "considering", "ctv",
      "kids_school yard english", status=H, end="2026-09-22",
      culture="Spending the autumn with family in Brazil; asked to pause check-ins until "
      "she is back."),
    P("Oksana Birchfall", "she/her", 3, "Ukrainian", "2026-04-28", 21, "engaged", "ct",
      "english_work doctor sleep", status=H, end="2026-10-14", interpreter=True,
      safe="Prefers calls in the morning.",
      culture="Keeps in close touch with her mother by video call on weekends."),
    P("Kai Wavecrest", "he/they", 2, "English", "2026-05-19", 14, "not_engaged", "t",
      "cdl own_room friends", status=H, end="2026-10-27",
      safe="Text only; Kai will reach out when ready to restart.",
      culture="Kai says none applies for now."),
    P("Imani Goldfinch", "she/her", 1, "English", "2025-09-16", 30, "engaged", "ctv",
      "own_lease job_cna mentor", status=C, end="2026-07-14"),
    P("Carmen Sagebrush", "she/her", 1, "Spanish", "2025-11-11", 21, "not_engaged", "ct",
      "english benefits kids_time", status=C, end="2026-08-12", interpreter=True),
    P("Ayesha Lilyvale", "she/her", 2, "Urdu", "2025-12-09", 21, "considering", "c",
      "bank driving college", status=C, end="2026-06-23", interpreter=True,
      faith="Muslim; prefers meetings after Friday prayers."),
    P("Soo-ah Brackenridge", "she/her", 3, "Korean", "2026-01-06", 30, "not_engaged", "ctv",
      "counsellor business friends", status=C, end="2026-09-30"),
)

# Custom needs (no catalog key): key -> (label, horizon, domain).
CUSTOM: dict[str, tuple[str, Horizon, Domain]] = {
    "pet_friendly_housing": ("Pet-friendly housing", MID, Domain.HOUSING),
    "driving_lessons": ("Driving lessons", MID, Domain.EDUCATION),
    "budgeting": ("Budgeting and savings", LONG, Domain.ECONOMIC),
    "own_bank_account": ("Own bank account", SHORT, Domain.ECONOMIC),
    "credit_repair": ("Credit repair", LONG, Domain.ECONOMIC),
    "school_enrolment": ("School enrolment for the children", SHORT, Domain.EDUCATION),
    "identity_documents": ("Replace identity documents", SHORT, Domain.LEGAL),
    "faith_community": ("Faith community connection", MID, Domain.SOCIAL),
    "peer_support": ("Peer support group", MID, Domain.SOCIAL),
    "familiar_food": ("Culturally familiar food", SHORT, Domain.PHYSICAL),
}

# Goal key -> (the client's words, need key or None, topic, progress notes).
GOALS: dict[str, tuple[str, str | None, str, tuple[str, ...]]] = {
    "yard": ("I want my own place where my kids can have a yard", "permanent_housing",
             "the housing search", ("Put in two rental applications near the school.",
                                    "Housing voucher approved; viewing places with a yard.")),
    "own_lease": ("I want a lease with only my name on it", "permanent_housing", "the lease",
                  ("Met the landlord liaison; two units fit the budget.",)),
    "own_room": ("I want a room of my own that I pay for myself", "transitional_housing",
                 "finding a room", ("Looked at three rooms; one is close to work.",)),
    "shelter_to_transitional": (
        "I want to move from the shelter into transitional housing before winter",
        "transitional_housing", "the transitional housing move",
        ("Application in; interview set for next month.", "Accepted, with a move-in date."),
    ),
    "pet_home": ("I want a place where I can keep my dog, Biscuit", "pet_friendly_housing",
                 "pet-friendly housing", ("Found a list of pet-friendly landlords; Biscuit's "
                                          "vaccination card is ready.",)),
    "job_cna": ("I want to become a certified nursing assistant", "job_training",
                "the nursing assistant course", ("Enrolled in the evening course.",
                                                 "Passed the first module test.")),
    "job_fair_pay": ("I want a job where I am paid fairly and on time", "employment_assistance",
                     "the job search", ("Updated the résumé together.",
                                        "Two interviews booked this week.")),
    "work_permit": ("I want my work permit so I can work legally", "work_permit",
                    "the work permit application", ("Legal aid filed the application.",
                                                    "Receipt notice arrived; now waiting.")),
    "budget": ("I want to save $50 every month", "budgeting", "the savings plan",
               ("Set up a simple budget on paper.", "Three months of saving in a row.")),
    "bank": ("I want a bank account that only I can see", "own_bank_account", "the bank account",
             ("Chose a credit union that accepts the consular ID.",)),
    "credit": ("I want to fix my credit so I can rent on my own", "credit_repair",
               "credit repair", ("Pulled the free credit report together; disputed two "
                                 "accounts opened without consent.",)),
    "benefits": ("I want to get the food benefits my family qualifies for", "public_benefits",
                 "the benefits application", ("Application in; phone interview next week.",
                                              "Approved from next month.")),
    "business": ("I want to sell my baking at the Saturday market", "employment_assistance",
                 "the market stall plan", ("Food handler's card done.",
                                           "First Saturday at the market; sold out by noon.")),
    "driving": ("I want to learn to drive so I am not waiting for rides", "driving_lessons",
                "driving lessons", ("Learner's permit test booked.",
                                    "Passed the learner's permit test.")),
    "ged": ("I want to finish my GED by summer", "education", "GED classes",
            ("Signed up for the free GED class at the library.", "Passed the maths section.")),
    "english": ("I want to speak English well enough to talk with my children's teachers",
                "language_classes", "English classes",
                ("Started the community English class, twice a week.",
                 "Had a parent–teacher meeting in English with a little help.")),
    "english_work": ("I want enough English to do job interviews on my own", "language_classes",
                     "English classes", ("Moved up to the intermediate class.",)),
    "college": ("I want to go back to college and finish my degree", "advanced_education",
                "returning to college", ("Requested old transcripts.",
                                         "Accepted for the spring term.")),
    "computer": ("I want to be able to use a computer for job applications", "education",
                 "computer skills", ("Finished the library's basic computer course.",)),
    "certificate": ("I want my teaching certificate from home recognised here",
                    "advanced_education", "getting qualifications recognised",
                    ("Sent documents for credential evaluation.",)),
    "kids_school": ("I want my kids enrolled in school and settled in", "school_enrolment",
                    "school enrolment", ("Both children enrolled; uniforms from the clothing "
                                         "bank.",)),
    "sleep": ("I want to sleep through the night again", "mental_health", "sleep and rest",
              ("Trying the breathing exercise from the counsellor; some better nights.",)),
    "counsellor": ("I want to find a counsellor I feel comfortable with", "mental_health",
                   "finding a counsellor", ("Met one counsellor; not the right fit yet.",
                                            "Found a counsellor; weekly sessions started.")),
    "calm": ("I want to feel calm when I leave the house", "mental_health",
             "feeling calm day to day", ("Walked to the shop and back with a friend.",)),
    "dentist": ("I want to get my teeth fixed so I can smile in photos", "ongoing_medical_dental",
                "dental care", ("First dental appointment done; treatment plan made.",)),
    "doctor": ("I want a regular doctor who knows my history", "ongoing_medical_dental",
               "finding a regular doctor", ("Registered with the community clinic.",)),
    "friends": ("I want friends I can call on the weekend", "life_social_skills",
                "making friends", ("Went to the community centre's craft night.",)),
    "family_call": ("I want to call my mother every Sunday without worrying", "safe_phone",
                    "keeping in touch with family", ("Set up a calling app on the new phone.",)),
    "kids_time": ("I want more time with my kids after school", "childcare",
                  "after-school time", ("After-school programme found for two days a week.",)),
    "childcare": ("I want childcare so I can go back to work", "childcare", "childcare",
                  ("On the waitlist for the subsidised centre.",)),
    "phone": ("I want a phone that is only mine", "safe_phone", "the new phone",
              ("New phone set up with new accounts and passwords.",)),
    "walk": ("I want to walk in the park every morning", None, "morning walks",
             ("Walking three mornings a week now.",)),
    "music": ("I want to get my guitar back and play again", None, "music",
              ("Found a second-hand guitar at the thrift shop.",)),
    "art": ("I want to paint again", None, "painting", ("Joined a free art class.",)),
    "run": ("I want to run a 5K with my daughter", None, "training for the 5K",
            ("Running twice a week; signed up for the spring 5K.",)),
    "garden": ("I want to grow tomatoes and chillies on my balcony", None, "the balcony garden",
               ("Seedlings are up.",)),
    "cook": ("I want to cook food from home for friends again", None, "cooking for friends",
             ("Hosted a small dinner for neighbours.",)),
    "mosque": ("I want to find a mosque near home where I feel welcome", "faith_community",
               "finding a faith community", ("Visited a mosque with a women's study circle.",)),
    "church": ("I want to find an Orthodox church community nearby", "faith_community",
               "finding a church community", ("Went to a service where the priest speaks "
                                              "Amharic.",)),
    "sing": ("I want to keep singing in the choir", "faith_community", "the choir",
             ("Back at choir practice every Thursday.",)),
    "court": ("I want to be ready for my court date and know what to expect", "advocacy",
              "preparing for court", ("Visited the courtroom ahead of time with the court "
                                      "advocate.", "Hearing went ahead; next date set.")),
    "protective_order": ("I want to decide about a protection order in my own time",
                         "legal_assistance", "the protection order decision",
                         ("Met legal aid to hear the options; still deciding.",)),
    "immigration": ("I want my immigration case settled so I can plan my future",
                    "immigration_status", "the immigration case",
                    ("Attorney filed the application.", "Biometrics appointment done.")),
    "custody": ("I want a parenting plan that keeps my kids' routine steady", "legal_assistance",
                "the parenting plan", ("Mediation session booked.",)),
    "divorce": ("I want to finish my divorce papers", "legal_assistance", "the divorce paperwork",
                ("Fee waiver approved; forms filed.",)),
    "ids": ("I want my passport and ID back in my own hands", "identity_documents",
            "replacing documents", ("Consulate appointment booked for a new passport.",
                                    "New ID card collected.")),
    "clothes_interview": ("I want interview clothes that make me feel confident", "clothing",
                          "interview clothes", ("Chose an outfit at the career clothing closet.",)),
    "food": ("I want to keep the fridge full for my kids", "food", "groceries",
             ("Registered with the food pantry; pick-up on Thursdays.",)),
    "nails": ("I want to open my own nail salon one day", "employment_assistance",
              "the salon plan", ("Met a Vietnamese-speaking small-business adviser.",)),
    "chef": ("I want to cook professionally in a restaurant kitchen", "job_training",
             "the culinary course", ("Started the culinary training programme.",)),
    "cdl": ("I want my commercial driver's licence", "job_training", "the CDL course",
            ("Studying for the written test.",)),
    "mentor": ("I want to help others who have been through hard times, one day",
               "employment_assistance", "peer mentoring",
               ("Asked about the agency's peer mentor training.",)),
}

# Where a case manager might go with the client, by the need a goal serves.
ACCOMPANY: dict[str, str] = {
    "permanent_housing": "the housing authority appointment",
    "transitional_housing": "the transitional housing interview",
    "legal_assistance": "the legal aid appointment",
    "advocacy": "the court date",
    "immigration_status": "the immigration attorney's office",
    "work_permit": "the legal aid clinic",
    "public_benefits": "the benefits office",
    "ongoing_medical_dental": "the clinic",
    "school_enrolment": "the school enrolment meeting",
    "identity_documents": "the consulate",
    "own_bank_account": "the credit union",
}
# Catalog needs a client may also have beyond those their goals name.
EXTRA_NEEDS = (
    "food", "clothing", "personal_necessities", "acute_medical_dental", "information",
    "crisis_counselling", "transport", "ongoing_medical_dental", "mental_health",
    "job_training", "public_benefits", "life_social_skills", "continued_safety_planning",
    "employment_assistance", "permanent_housing",
)

NS = NeedStatus
NEED_WEIGHTS: dict[Horizon, tuple[tuple[NeedStatus, ...], tuple[int, ...]]] = {
    SHORT: ((NS.MET, NS.IN_PROGRESS, NS.NEEDED, NS.NOT_NEEDED, NS.DECLINED, NS.NOT_ASSESSED),
        (45, 20, 10, 10, 5, 10)),
    MID: ((NS.MET, NS.IN_PROGRESS, NS.NEEDED, NS.NOT_NEEDED, NS.DECLINED, NS.NOT_ASSESSED),
        (20, 30, 25, 10, 8, 7)),
    LONG: ((NS.MET, NS.IN_PROGRESS, NS.NEEDED, NS.NOT_NEEDED, NS.DECLINED, NS.NOT_ASSESSED),
        (5, 20, 35, 5, 5, 30)),
}
NEED_NOTES: dict[NeedStatus, tuple[str, ...]] = {
    NS.DECLINED: ("{first} declined this for now and knows it can be revisited any time.",
                  "{first} prefers to lean on family and friends here; respected.",
                  "Not a priority for {first} at the moment; offered again at reassessment."),
    NS.IN_PROGRESS: ("Referral made; waiting to hear back.", "First appointment booked.",
                     "Working on the paperwork together."),
    NS.NEEDED: ("{first} wants to start on this next month.",
                "On the list; {first} chose to focus elsewhere first."),
    NS.NOT_NEEDED: ("Already in place.",),
}

MT = MeetingKind
VIDEO_ONLY = "video_only"
SUMMARIES: dict[str, tuple[str, ...]] = {
    MT.SCHEDULED: ("Case meeting. Went through the goal sheet with {first}; most of the time "
                   "went to {topic}.",
                   "Planned meeting at the office. {first} set the agenda: {topic} first, "
                   "then paperwork.",
                   "Goal review. Updated the needs checklist and talked through {topic}."),
    MT.CHECK_IN: ("Short check-in. {first} shared an update on {topic}.",
                  "Brief check-in at drop-in hours; quick update on {topic}."),
    MT.PHONE_VIDEO: ("Phone check-in at the agreed time. Talked through {topic}.",
                     "Video call, camera off at {first}'s choice. Update on {topic}."),
    # For clients who may not be called: a video link sent the way they chose.
    VIDEO_ONLY: ("Video call at the agreed time, link sent{via}. Talked through {topic}.",),
    MT.ACCOMPANIMENT: ("Went with {first} to {place}. {first} led the conversation; notes "
                       "taken at {first}'s request.",
                       "Accompanied {first} to {place} and helped with the forms afterwards."),
    MT.CRISIS: ("Unplanned call. {first} reached out after a hard night and asked to talk. "
                "Went over the safety plan together; {first} chose to stay with a friend for "
                "the weekend.",
                "Drop-in. {first} felt unsafe after an unexpected message from the former "
                "partner. Updated the safety plan and saved the message for {first}'s own "
                "records, as asked.",
                "Unplanned call about a housing emergency (no heating, landlord not "
                "answering). Connected {first} with the emergency repair line and a warm "
                "place to stay."),
}
VIEWS = (
    '{first} said: "It is slow, but I am getting there."',
    "{first} feels proud of the progress on {topic}.",
    "{first} said the waiting is the hardest part and wants to keep going.",
    "{first} would like fewer appointments this month and more time with family.",
    "{first} said talking it through helped, and wants to keep {topic} as the focus.",
    "{first} is hopeful about {topic} and a bit tired of forms.",
)
OBSERVATIONS = (
    "Engaged and clear about priorities.",
    "Tired after a long week but focused; asked good questions.",
    "Brought organised paperwork; strong self-advocacy.",
    "More relaxed than last time; laughed about the bus timetable.",
    "Quiet at first, then talked about plans for the spring.",
    "Thoughtful; took time to decide and was sure of the decision.",
)
NEXT_STEPS = (
    "{first} will follow up on {topic}. CM will send the referral details{via}.",
    "CM to check the waitlist for {topic}; {first} to bring documents next time.",
    "{first} to decide whether to go ahead with {topic}; no pressure, revisit next time.",
    "Next check-in as agreed. CM will confirm the time{via}.",
)
ACHIEVED_NOTES = (
    "Achieved. {first} said it feels good to see it written down as done.",
    "Achieved, and celebrated with family.",
    "Done. {first} chose to mark this achieved today.",
)
GOAL_TO_NEED = {GoalStatus.ACHIEVED: NeedStatus.MET, GoalStatus.IN_PROGRESS: NeedStatus.IN_PROGRESS}
DECLINED_LEGAL = (
    "{first} has chosen not to involve the legal system for now. That is respected, and the "
    "option stays open."
)
KIND_WEIGHTS = {MT.SCHEDULED: 30, MT.CHECK_IN: 35, MT.PHONE_VIDEO: 25, MT.ACCOMPANIMENT: 15}
DURATIONS = {
    MT.SCHEDULED: (60, 90),
    MT.CHECK_IN: (15, 30),
    MT.PHONE_VIDEO: (20, 45),
    MT.ACCOMPANIMENT: (120, 240),
}
INTAKE = {
    "duration_minutes": 90,
    "summary": "Intake meeting. Welcomed {first}, explained confidentiality and how records "
    "are kept, and agreed how and when to keep in touch.",
    "client_view": "{first} wants to start with {topic}.",
    "next_steps": "Finish the needs checklist together at the next meeting.",
    "goals_discussed": [],
    "progress_discussed": False,
}
PAUSE = {
    "summary": "Went over the goal sheet and how far {first} has come. {first} asked to pause "
    "check-ins for a while. Agreed that {first} will get in touch when ready; the case "
    "stays open.",
    "client_view": "{first} said a break feels right for now, and knows how to reach us.",
    "next_steps": "No check-ins until {first} gets in touch.",
    "next_checkin": None,
    "progress_discussed": True,
}
CLOSING = {
    "summary": "Closing meeting. {first} has reached the goals set together and chose to close "
    "the case. Went over how to reach the agency again any time.",
    "client_view": '{first} said: "I feel ready."',
    "next_steps": "Case closed at {first}'s choice. The door stays open.",
    "next_checkin": None,
    "progress_discussed": True,
}
CRISIS = {
    "kind": MT.CRISIS,
    "client_view": "{first} said it helped to have someone pick up.",
    "observations": "Clear about what felt safe, and made the decisions.",
    "next_steps": "Check in again within a few days, as {first} asked.",
    "goals_discussed": [],
    "progress_discussed": False,
}

# (staff, kind, first day, start, end, weekly, until, note)
BLOCKS: tuple[tuple[int, BlockKind, str, str, str, bool, str | None, str], ...] = (
    (1, BlockKind.DOCUMENTATION, "2026-05-04", "09:00", "11:00", True, None,
     "Case notes from the week before"),
    (1, BlockKind.SUPERVISION, "2026-05-06", "14:00", "15:00", True, None, "With the director"),
    (1, BlockKind.ADMIN, "2026-05-07", "16:00", "17:00", True, None, "Referrals and call-backs"),
    (1, BlockKind.SELF_CARE, "2026-05-08", "15:30", "16:30", True, None,
     "Walk by the river; phone off"),
    (1, BlockKind.TRAINING, "2026-09-17", "09:00", "12:00", False, None,
     "Working well with interpreters"),
    (2, BlockKind.DOCUMENTATION, "2026-05-05", "08:30", "10:30", True, "2026-07-28",
     "Moved to Thursdays from August"),
    (2, BlockKind.DOCUMENTATION, "2026-08-06", "08:30", "10:30", True, None, "Case notes"),
    (2, BlockKind.SUPERVISION, "2026-05-06", "15:00", "16:00", True, None, "With the director"),
    (2, BlockKind.ADMIN, "2026-05-08", "13:00", "15:00", True, None, "Court calendar and forms"),
    (2, BlockKind.TRAINING, "2026-10-08", "13:00", "16:30", False, None,
     "Court accompaniment refresher"),
    (3, BlockKind.DOCUMENTATION, "2026-05-07", "09:00", "10:30", True, None, "Case notes"),
    (3, BlockKind.SUPERVISION, "2026-05-06", "13:00", "14:00", True, None, "With Priya"),
    (3, BlockKind.SELF_CARE, "2026-05-05", "12:00", "13:00", True, None,
     "Lunch away from the desk"),
    (3, BlockKind.TRAINING, "2026-06-11", "09:30", "12:30", False, None,
     "Cultural humility workshop"),
    (1, BlockKind.ADMIN, "2026-11-16", "13:00", "14:00", False, None,
     "Consent renewals and referral follow-ups"),
)

# -- Casework: partners, referrals, consents, strengths, safety plans, handoffs,
# closings and legal matters. Free text never names a calendar date or month, so
# it still reads true after `casetui demo` moves every date to today.


class Handoff(NamedTuple):
    """The client was with ``before`` (1-based index into STAFF) until ``on``."""

    before: int
    on: str
    note: str


# Client number -> earlier case managers, oldest first. The last handoff is to the
# client's current case manager (Person.staff).
HANDOFFS: dict[int, tuple[Handoff, ...]] = {
    2: (Handoff(1, "2026-05-04",
                "Handing over to balance our caseloads. Tomás met Daniel at our last meeting "
                "and was glad to continue with him. Texts only, in Spanish, worded like the "
                "library (shared phone). The Sunday call with his family matters a great "
                "deal."),),
    4: (Handoff(3, "2026-07-03",
                "I am going on leave. Kwame prefers English in meetings and no appointments "
                "on Sunday mornings or Wednesday evenings. He is proud of finishing the CDL "
                "course; ask him about it."),
        Handoff(1, "2026-08-03",
                "Daniel does most of our court accompaniment and Kwame's hearings are coming "
                "up. Kwame agreed to the change and met Daniel with me. He likes to know "
                "exactly what will happen on the day.")),
    16: (Handoff(3, "2026-08-06",
                 "I am moving to part-time hours. Jolene met Priya with me and is happy to "
                 "continue with her. Call her work number only, 9:00–17:00; no texts. She "
                 "likes a short agenda at the start of each meeting."),),
    19: (Handoff(2, "2026-04-14",
                 "Hodan asked for a woman case manager, which we arranged straight away. "
                 "Grace joined our last meeting so Hodan could meet her first. Somali "
                 "interpreter by phone, a woman, please."),),
    27: (Handoff(1, "2026-07-06",
                 "My caseload is full. Dana chose Daniel after a short introduction call. "
                 "Text only; email is not safe. Dana likes next steps written down."),),
}

# Client number -> (closed on, reopened on), for an active client who closed and came
# back. Both days are meetings in the log; their summaries say so.
REOPENED: dict[int, tuple[str, str]] = {13: ("2026-07-23", "2026-08-25")}
CLOSED_AND_REOPENED: dict[tuple[int, str], dict[str, Any]] = {
    (13, "2026-07-23"): {
        "kind": MeetingKind.SCHEDULED,
        "summary": "Closing meeting. {first} chose to close the case now that the parenting "
        "plan is in place and the market stall is going well. Went over the safety plan and "
        "how to reach the agency again any time.",
        "client_view": '{first} said: "I feel ready, and I know where you are."',
        "next_steps": "Case closed at {first}'s choice. The door stays open.",
        "next_checkin": None,
        "progress_discussed": True,
    },
    (13, "2026-08-25"): {
        "kind": MeetingKind.SCHEDULED,
        "summary": "Reopening meeting. {first} got back in touch because the parenting plan "
        "is going back to court. Agreed to pick up where we left off, with the hearing first.",
        "client_view": '{first} said: "I am glad I could come back."',
        "progress_discussed": True,
    },
}
REOPEN_NOTE = (
    "Rosa got back in touch: the parenting plan is going back to court and she would like "
    "support again, including on the day of the hearing."
)
# Client number -> the final note when the case closed (on Person.end).
CLOSING_NOTES: dict[int, str] = {
    13: "Rosa chose to close now that the parenting plan is in place and her stall is going "
    "well. We reviewed the safety plan together, and she knows she can come back any time.",
    31: "Imani has a lease in her own name and her nursing assistant certificate, and is "
    "starting peer mentor training. We went over the safety plan together and she knows she "
    "is welcome back any time. It has been a privilege to work with her.",
    32: "Carmen's family has the food benefits it qualifies for, the children are settled "
    "after school, and she talks with their teachers in English now. Safety plan reviewed "
    "together; she knows the door is open.",
    33: "Ayesha is back at college, drives herself, and manages her own account. She chose to "
    "close today. Safety plan reviewed together; she knows she can return whenever she wants.",
    34: "Soo-ah chose to close: her market stall is doing well and she sees her counsellor on "
    "her own. Making friends stays on her list, on her own terms. Safety plan reviewed; she "
    "knows she can come back any time.",
}

SK = ServiceKind


class Agency(NamedTuple):
    name: str
    kind: ServiceKind
    contact: str
    phone: str
    email: str
    address: str
    languages: str
    trauma_informed: bool
    notes: str


PARTNERS: dict[str, Agency] = {
    "clinic": Agency(
        "Lanternfield Community Clinic", SK.MEDICAL, "Ottilie Brambleworth, patient navigator",
        "555-0111", "navigator@lanternfield.example.org", "40 Quillwort Lane",
        "English, Spanish, Vietnamese; phone interpreters for others", True,
        "Sliding-scale fees. The navigator can book a first visit with a woman doctor on "
        "request, and no ID is needed for a first visit."),
    "dental": Agency(
        "Brightmoor Smiles Dental Cooperative", SK.DENTAL, "Front desk", "555-0112",
        "appointments@brightmoor-dental.example.org", "7 Hawthorn Row", "English, Portuguese",
        False,
        "Reduced-fee chairs on Tuesdays. Staff have not had trauma-informed training yet; "
        "let clients know they can bring someone with them."),
    "counselling": Agency(
        "Willowgate Counselling Centre", SK.MENTAL_HEALTH, "Amadou Fennick, intake coordinator",
        "555-0113", "intake@willowgate.example.org", "Second floor, 15 Larch Street",
        "English, Arabic, Cantonese, Dari, Korean; interpreters on request", True,
        "Free short-term counselling and a six-week sleep and stress group. Women counsellors "
        "on request. The waitlist is usually about three weeks."),
    "circle": Agency(
        "Hummingbird House Wellness Circle", SK.MENTAL_HEALTH, "Lucía Pemberfield",
        "555-0114", "hola@hummingbird-house.example.org", "12 Saffron Court",
        "Spanish, English, Portuguese", True,
        "Spanish-language counselling and an evening wellbeing group. Warm, unhurried "
        "first calls."),
    "legal": Agency(
        "Cobblestone Legal Aid Clinic", SK.LEGAL_AID, "Ines Marrowby, staff attorney",
        "555-0115", "help@cobblestone-legal.example.org", "3 Old Mill Yard",
        "English, Spanish, Ukrainian, Haitian Creole; interpreters on request", True,
        "Family law, protective orders and compensation applications. Free under the "
        "income limit; the intake call takes about half an hour."),
    "shelter": Agency(
        "Harbourlight Shelter", SK.SHELTER, "Duty manager", "555-0116", "",
        "Confidential address: meet at the agency first.", "English, Spanish, Tagalog", True,
        "Call before 18:00 to ask about beds. Lockers for papers. Pets cannot stay, but "
        "staff know a foster network."),
    "housing": Agency(
        "Northwind Housing Partnership", SK.HOUSING, "Tamsin Greywater, housing navigator",
        "555-0117", "navigators@northwind-housing.example.org", "88 Cinder Road",
        "English, Spanish, Somali", True,
        "Transitional rooms, rental applications and deposit help. Keeps a short list of "
        "pet-friendly landlords."),
    "police": Agency(
        "Riverside Police Family Safety Unit", SK.LAW_ENFORCEMENT,
        "Sergeant Lark Penhallow, liaison officer", "555-0118",
        "family.safety@riverside-police.example.org", "1 Civic Square",
        "English; interpreters on request", True,
        "Officers in this unit have trauma-informed training. The client decides whether to "
        "make a report and what to share; an advocate can be there throughout."),
    "court": Agency(
        "Courthouse Companions Advocacy Project", SK.COURT_ADVOCACY, "Bea Thornbury",
        "555-0119", "companions@courthouse-companions.example.org",
        "Room 12, County Courthouse Annex", "English, Spanish, Haitian Creole", True,
        "Court accompaniment, a courtroom visit before the hearing, and a quiet waiting room "
        "on the day."),
    "immigration": Agency(
        "New Shores Immigration Law Collective", SK.IMMIGRATION,
        "Rafael Osterhout, attorney", "555-0120", "intake@newshores.example.org",
        "210 Ferry Street", "English, Spanish, Ukrainian, Tagalog, Vietnamese", True,
        "Free consultations for survivors; work permits, status applications and replacement "
        "documents. No document is needed for a first visit."),
    "learning": Agency(
        "Maplestead Adult Learning Centre", SK.EDUCATION, "Learner services", "555-0121",
        "learn@maplestead.example.org", "Maplestead Library, 5 Acorn Way",
        "English classes at four levels; GED classes in English and Spanish", False,
        "Free classes, with childcare on weekday mornings. Friendly staff, not yet trained "
        "in trauma-informed practice."),
    "benefits": Agency(
        "Cloverleaf Benefits Desk", SK.PUBLIC_BENEFITS, "Benefits counsellor", "555-0122",
        "desk@cloverleaf-benefits.example.org", "Community Hub, 60 Orchard Row",
        "English, Spanish, Arabic, Somali", True,
        "Food benefits, health cover and childcare subsidies. Appointments, or drop in on "
        "Wednesdays."),
    "jobs": Agency(
        "Kettle & Loom Employment Co-op", SK.EMPLOYMENT, "Job coach team", "555-0123",
        "coaches@kettleandloom.example.org", "14 Weaver Street",
        "English, Spanish, Portuguese, Vietnamese", True,
        "Job coaching, résumés, and paid training places: nursing assistant, culinary and "
        "commercial driving."),
    "peers": Agency(
        "Evening Star Peer Support Group", SK.SUPPORT_GROUP, "Juno Ashdown, facilitator",
        "555-0124", "hello@eveningstar-circle.example.org", "Community Hub, Room 3",
        "English; a Spanish-language group meets on Mondays", True,
        "Peer-led group for survivors on Thursday evenings. A short call with the "
        "facilitator first helps people feel at ease."),
    "interpreters": Agency(
        "Many Voices Interpreting Cooperative", SK.INTERPRETER, "Scheduling desk", "555-0125",
        "bookings@manyvoices.example.org", "",
        "Over 30 languages, including Amharic, Dari, Haitian Creole, Somali, Tagalog and Twi",
        True,
        "Phone and in-person interpreters. Can book a woman interpreter, or one from outside "
        "the client's home town, on request."),
    "pantry": Agency(
        "Greenbasket Food Pantry", SK.OTHER, "Volunteer coordinator", "555-0126", "",
        "22 Granary Lane", "English, Spanish", False,
        "Groceries on Thursdays and Saturdays, with halal and vegetarian boxes. No ID needed."),
    "clothing": Agency(
        "Second Thread Career Closet", SK.OTHER, "Closet volunteers", "555-0127",
        "closet@secondthread.example.org", "9 Button Street", "English", False,
        "Interview clothes and shoes, by appointment; clients choose in private."),
    "bank": Agency(
        "Foxhollow Credit Union", SK.OTHER, "Member adviser", "555-0128",
        "members@foxhollow-cu.example.org", "31 Tanner Street", "English, Tagalog, Spanish",
        True,
        "Accounts that accept a consular ID, statements by email only if the member wants, "
        "and free credit counselling."),
}


class Ref(NamedTuple):
    """A referral. ``path`` is its history: status codes, each with a day or none.

    Codes: p planned, r referred, s scheduled, a attending, c completed, d declined,
    u unavailable, x stalled; a code repeated is a follow-up with no change. Days
    left out are spread evenly between the ones given (the first and last are given).
    """

    client: int
    partner: str
    need: str | None  # a need key of this client; its goal is linked too, if any
    path: str
    follow_up: str | None = None
    help: str = ""  # a: accompaniment, t: transport
    last: str = ""  # the note on the last change, instead of the usual wording
    note: str = ""


REFERRALS: tuple[Ref, ...] = (
    # Priya's clients (st_sample01, the demo user).
    Ref(1, "jobs", "job_training", "p:2026-06-09 r s a:2026-11-09", help="t",
        note="Evening nursing assistant course; the bus pass covers the trip."),
    Ref(1, "benefits", "childcare", "p:2026-10-05 r r:2026-10-26",
        last="Called the benefits desk: the childcare subsidy is still being decided."),
    Ref(1, "counselling", "mental_health", "p:2026-07-06 r d:2026-09-04",
        last="Amara decided to contact Willowgate herself, when she is ready. Respected."),
    Ref(3, "counselling", "mental_health", "r:2026-05-04 s a c:2026-10-23",
        last="Finished the six-week sleep and stress group. Mei Lin would like to keep seeing "
        "a counsellor; that needs a new referral and a new consent.",
        note="Cantonese-speaking counsellor, as Mei Lin asked."),
    Ref(3, "jobs", "employment_assistance", "r:2026-08-14 s a:2026-11-11",
        follow_up="2026-11-25"),
    Ref(6, "immigration", "work_permit", "r:2026-05-15 s a a:2026-11-09",
        last="The attorney has the receipt notice; now waiting for a decision.",
        note="Olek likes written updates he can keep."),
    Ref(6, "learning", "language_classes", "p:2026-06-16 r u:2026-09-07",
        last="The intermediate class is full until the new term. Olek is first on the list."),
    Ref(8, "housing", "permanent_housing", "p:2026-09-14 r r x:2026-11-06",
        last="No reply from the housing navigator after two calls and an email. Marked "
        "stalled; will ask Northwind for another contact."),
    Ref(8, "benefits", "childcare", "r:2026-02-06 s c:2026-04-14",
        last="Subsidy approved for the after-school programme."),
    Ref(12, "counselling", "mental_health", "p:2026-11-13", follow_up="2026-11-27",
        note="Ji-woo would like to meet the counsellor once before deciding what to share. "
        "No consent yet: Ji-woo will decide."),
    Ref(13, "legal", "legal_assistance", "r:2025-10-16 s a c:2026-02-16",
        last="Parenting plan agreed. Rosa said the lawyer explained every step."),
    Ref(13, "legal", "legal_assistance", "r:2026-08-25 s a:2026-11-12", follow_up="2026-11-19",
        note="The parenting plan is going back to court; legal aid is representing Rosa again."),
    Ref(13, "dental", "ongoing_medical_dental", "r:2025-12-17 s:2026-01-16 a a:2026-11-10",
        last="Two more appointments to finish the treatment plan."),
    Ref(13, "court", None, "r:2026-08-25 s:2026-11-12", follow_up="2026-11-17", help="a",
        note="A courtroom visit two days before the hearing; the court advocate will sit with "
        "Rosa on the day."),
    Ref(16, "housing", "permanent_housing", "p:2026-09-04 r r:2026-11-05",
        follow_up="2026-11-12",
        last="Left a message for the housing navigator, who said she would call back within "
        "a week.",
        note="Jolene paused the lease goal but wants to stay on the waiting list."),
    Ref(16, "clothing", "clothing", "r:2026-10-08 s:2026-10-21",
        last="Fitting offered; waiting for Jolene to pick a time when she is next in touch."),
    Ref(18, "learning", "language_classes", "r:2026-08-04 s a:2026-11-16",
        last="Parisa moved up a level today."),
    Ref(18, "pantry", "food", "p:2026-11-02 r:2026-11-09", follow_up="2026-11-16",
        last="The pantry will let us know by the follow-up day whether they can add a halal "
        "box to Parisa's Thursday pick-up."),
    Ref(21, "immigration", "identity_documents", "r:2026-10-14 s a:2026-11-13", help="at",
        note="Consulate visits together; bus fare covered."),
    Ref(21, "counselling", "mental_health", "r:2026-10-19 s:2026-11-06",
        follow_up="2026-11-20", note="A Tagalog interpreter is booked for the first session."),
    Ref(23, "housing", "permanent_housing", "r:2026-08-21 s s:2026-10-23",
        last="The landlord postponed the viewing; waiting for a new time."),
    Ref(23, "legal", "legal_assistance", "r:2026-03-09 s a c:2026-07-09"),
    Ref(25, "learning", "advanced_education", "p:2026-08-10 r d:2026-09-09",
        last="Leilani decided to wait for the next term. She knows she can pick this up again."),
    Ref(31, "jobs", "job_training", "r:2025-10-10 s a c:2026-03-16"),
    Ref(32, "benefits", "public_benefits", "r:2025-11-24 s c:2026-01-29"),
    # Daniel's clients.
    Ref(2, "immigration", "work_permit", "p:2026-02-12 r s a:2026-11-03", help="a"),
    Ref(2, "housing", "transitional_housing", "p:2026-11-10", follow_up="2026-11-24"),
    Ref(4, "court", "advocacy", "p:2026-09-15 r s:2026-10-28", help="a",
        note="Kwame would like to see the courtroom before the hearing."),
    Ref(4, "dental", "ongoing_medical_dental", "r:2026-07-03 s a c:2026-09-28", help="t"),
    Ref(7, "peers", "life_social_skills", "p:2026-07-16 r d:2026-08-28",
        last="Aroha would rather meet people through her cousin's kapa haka group. Respected."),
    Ref(11, "benefits", "public_benefits", "r:2026-09-30 s:2026-11-10", follow_up="2026-11-24"),
    Ref(14, "circle", "mental_health", "r:2026-06-08 s a a:2026-11-06"),
    Ref(14, "housing", "pet_friendly_housing", "r:2026-07-09 s s:2026-11-13",
        last="Two pet-friendly landlords on the list; Biscuit's vaccination card sent."),
    Ref(14, "benefits", "childcare", "p:2026-09-08 r u:2026-10-19",
        last="The subsidised centre's waitlist is closed for now; Marisol will be told when it "
        "opens."),
    Ref(17, "housing", "transitional_housing", "r:2026-08-26 s:2026-10-23"),
    Ref(20, "circle", "mental_health", "p:2026-10-05 r d:2026-10-21",
        last="Ana Lucía wants to pause counselling for now. The option stays open."),
    Ref(24, "clinic", "ongoing_medical_dental", "r:2026-08-21 s:2026-10-06", help="t"),
    Ref(26, "housing", "transitional_housing", "r:2026-09-17 s a:2026-11-16"),
    Ref(27, "counselling", "mental_health", "p:2026-11-02 r:2026-11-13", follow_up="2026-11-27"),
    Ref(30, "jobs", "job_training", "r:2026-06-02 s a c:2026-10-27",
        last="Kai finished the theory part of the CDL course; the driving part can start when "
        "Kai is ready."),
    Ref(33, "learning", "advanced_education", "r:2026-01-16 s a c:2026-05-29"),
    # Grace's clients.
    Ref(5, "legal", "legal_assistance", "r:2026-03-05 s c:2026-05-04",
        last="Legal aid explained the options; Fatima has what she needs to decide."),
    Ref(5, "pantry", "food", "r:2026-02-19 s a a:2026-11-10"),
    Ref(5, "interpreters", "interpretation", "r:2026-02-04 c:2026-02-19",
        last="Standing booking: a woman Arabic interpreter, not from Fatima's home town."),
    Ref(9, "housing", "transitional_housing", "r:2026-07-16 s a c:2026-10-02"),
    Ref(9, "learning", "language_classes", "p:2026-10-19 r:2026-11-05", follow_up="2026-11-19"),
    Ref(10, "court", "advocacy", "r:2026-09-01 s a a:2026-11-13", help="a"),
    Ref(10, "police", None, "p:2026-09-01 r s c:2026-09-08", help="a",
        last="Wideline met the family safety unit with Grace beside her, and chose what to "
        "share."),
    Ref(10, "immigration", "immigration_status", "r:2026-08-24 s a c:2026-10-26"),
    Ref(15, "counselling", "mental_health", "r:2026-06-08 s a:2026-11-06"),
    Ref(15, "bank", "own_bank_account", "r:2026-09-21 s:2026-11-06", follow_up="2026-11-20"),
    Ref(19, "benefits", "public_benefits", "p:2026-10-26 r:2026-11-10", follow_up="2026-11-24"),
    Ref(19, "counselling", "mental_health", "r:2026-04-14 s a c:2026-08-18",
        note="A woman counsellor, with a Somali interpreter."),
    Ref(22, "shelter", None, "r:2026-11-10 c:2026-11-10", help="t",
        last="Bed confirmed the same day; taxi paid."),
    Ref(22, "housing", "transitional_housing", "p:2026-11-10 r:2026-11-13",
        follow_up="2026-11-27"),
    Ref(29, "counselling", "mental_health", "p:2026-06-08 r d:2026-09-04",
        last="Oksana chose to wait for now. The option stays open."),
    Ref(34, "counselling", "mental_health", "r:2026-01-26 s a c:2026-06-03"),
)

RS = ReferralStatus
CODES: dict[str, ReferralStatus] = {
    "p": RS.PLANNED, "r": RS.REFERRED, "s": RS.SCHEDULED, "a": RS.ATTENDING,
    "c": RS.COMPLETED, "d": RS.DECLINED, "u": RS.UNAVAILABLE, "x": RS.STALLED,
}
STEP_NOTES: dict[ReferralStatus, tuple[str, ...]] = {
    RS.PLANNED: ("Talked it over; {first} would like a referral to {partner}.",
                 "{first} chose {partner} from the options we looked at together."),
    RS.REFERRED: ("Referral sent to {partner} with {first}'s signed consent.",
                  "Called {partner}'s intake line together; referral made."),
    RS.SCHEDULED: ("First appointment booked; {first} has the time and the address.",
                   "{partner} offered a time that fits {first}'s week."),
    RS.ATTENDING: ("{first} has started and says it is going well so far.",
                   "{first} is going regularly, and {partner} confirmed it."),
    RS.COMPLETED: ("Completed. {first} said it was worth it.",
                   "{partner} confirmed the service is finished; {first} is pleased with how "
                   "it went."),
    RS.DECLINED: ("{first} decided not to go ahead for now. The option stays open.",),
    RS.UNAVAILABLE: ("{partner} cannot take new referrals at the moment; looking at other "
                     "options with {first}.",),
    RS.STALLED: ("No reply from {partner} after several tries. Marked stalled.",),
}
FOLLOW_UPS = (
    "Followed up with {partner}: no change yet.",
    "Checked in with {partner}; still waiting to hear.",
    "Spoke with {partner}; all on track.",
)

# What a release of information covers, by the partner's kind.
CONSENT_WORDS: dict[ServiceKind, tuple[str, str]] = {
    SK.MEDICAL: ("Name, date of birth, safe way to get in touch, and the reason for the "
                 "referral. No case notes.", "To book a first appointment at {partner}."),
    SK.MENTAL_HEALTH: ("Name, safe way to get in touch, languages, and that {first} asked "
                       "for counselling. No case notes.",
                       "To make the referral to {partner} and hear whether it went ahead."),
    SK.LEGAL_AID: ("Name, safe way to get in touch, and the documents {first} chooses to "
                   "share.", "So {partner} can advise {first}, and the case manager can help "
                   "with appointments."),
    SK.HOUSING: ("Name, household size, income, and safe way to get in touch.",
                 "For the housing application and updates on it."),
    SK.LAW_ENFORCEMENT: ("Name and safe way to get in touch only. {first} decides what else "
                         "to say.", "To arrange a meeting with the unit, with an advocate "
                         "present."),
    SK.INTERPRETER: ("First name, language, and appointment times.",
                     "To book interpreters for {first}'s appointments."),
    SK.PUBLIC_BENEFITS: ("Name, household size and income, and safe way to get in touch.",
                         "For the benefits application and updates on it."),
}
CONSENT_DEFAULT = (
    "Name, safe way to get in touch, and what the referral is for.",
    "To make the referral to {partner} and hear back about how it is going.",
)
# (client, partner) -> how that release differs from a one-year consent signed at
# referral: "expires" (an earlier end), "renewed" (a new one signed that day), and
# "revoked" (day, note).
CONSENT_STORIES: dict[tuple[int, str], dict[str, Any]] = {
    (13, "legal"): {"renewed": "2026-08-25"},
    (6, "immigration"): {"expires": "2026-11-13", "renewed": "2026-10-27"},
    (3, "counselling"): {"expires": "2026-11-04"},
    (13, "dental"): {"expires": "2026-12-10"},
    (1, "counselling"): {
        "revoked": ("2026-09-04", "Amara asked us to stop sharing her information with "
                    "Willowgate. She will get in touch with them herself if and when she "
                    "wants to."),
    },
}

# The strengths assessment, in the client's own words: client -> sittings, each a
# day and the nine answers in the order of casetui.core.strengths.QUESTIONS. An
# empty answer is one the client chose to leave for later.
STRENGTHS: dict[int, tuple[tuple[str, tuple[str, ...]], ...]] = {
    1: (("2026-03-30", (
        "I kept going for my kids. Getting up every morning was the first step.",
        "That I am stronger than I thought, and that I can ask for help.",
        "My sister. She never stopped calling.",
        "My sister, and my neighbour Delphine, who watches the kids sometimes.",
        "My kids are happy at their school.",
        "That I am a good mum, and funny.",
        "One step at a time, with a list on the fridge.",
        "I need my own place. I can keep applying and save for the deposit.",
        "Money is tight and I get tired. Childcare would help.")),
        ("2026-09-17", (
        "I moved us into our own place. I did the applications even when I was tired.",
        "I can finish what I start. I passed my GED!",
        "My sister, and my GED teacher.",
        "My sister, Delphine, and the other mums at the school gate.",
        "Our apartment with a yard, and my GED certificate on the wall.",
        "My teacher said I am a natural at helping people. That is why I want to be a "
        "nursing assistant.",
        "The nursing course in the evenings. My sister helps with bedtime.",
        "Childcare in the day, so I could work more hours. I am on the list.",
        "Sometimes I worry about money. The budget helps when I stick to it."))),
    2: (("2026-02-12", (
        "I talked to my mother whenever I could. Her voice kept me going.",
        "I can be patient. I can wait for the right thing.",
        "My mother, and my cousin who told me about this place.",
        "My cousin. And now the people here.",
        "I always worked hard, even when it was not fair.",
        "That I am honest and I make people laugh.",
        "First the papers, then English, then a good job.",
        "I need my documents in my own hands. The lawyer is helping.",
        "My English. I will go to classes.")),
        ("2026-08-12", (
        "Step by step. My ID is back in my hands, and I did that with help.",
        "That asking for help is not weakness.",
        "My English teacher.",
        "My cousin, my classmates, and Daniel.",
        "I did a practice job interview in English, with no interpreter.",
        "My teacher says I am the hardest worker in the class.",
        "When the work permit comes, I will apply to the kitchens I already visited.",
        "The permit. I check the case and bring my questions to the lawyer.",
        "Waiting is hard. I play football on Sundays to clear my head."))),
    3: (("2025-12-01", (
        "I kept busy. Cooking for my aunt's family helped me feel normal.",
        "I can learn new things, even now.",
        "My aunt.",
        "My aunt and my cousin.",
        "I came here on my own and found this place.",
        "They say my dumplings are the best.",
        "",
        "I want to sleep better. Maybe talking to someone will help.",
        "English, and feeling tired all the time.")),
        ("2026-06-10", (
        "The sleep group taught me a breathing exercise. I use it every night.",
        "I like learning. I finished the English course.",
        "My aunt, and the women in the group.",
        "My aunt, my cousin, and two friends from class.",
        "I can talk to my doctor in English now.",
        "My classmates say I am kind, and I always bring snacks.",
        "Keep going to class, and look for a job with fair pay.",
        "A job with regular hours. I am working with the job coach.",
        "Some nights are still hard. I want to keep seeing a counsellor."))),
    5: (("2026-03-05", (
        "My faith, and my children. I pray and I keep going.",
        "I can speak up for my children, even in a new country.",
        "My mother, who taught me to be patient.",
        "The sisters in my study circle.",
        "Both my children started school this month.",
        "That I am calm and wise.",
        "With English classes, and learning to drive.",
        "I want to understand the forms myself. English will help.",
        "Everything is new. I take one day at a time.")),),
    7: (("2026-06-22", (
        "My whānau. They wrapped around me.",
        "I am allowed to take up space.",
        "My nan. She always said I could do anything.",
        "My cousin Mereana, and my nan.",
        "I started playing guitar again.",
        "That I am loyal and I light up a room.",
        "Going back to study, my way.",
        "I want to finish my degree. I need to sort out the enrolment.",
        "Meeting new people feels hard. I will go with my cousin at first.")),),
    8: (("2026-01-14", (
        "I focused on my kids. Their smiles keep me going.",
        "I am patient and careful.",
        "My older sister back home. We talk every week.",
        "My sister, and my friend Thu from the salon.",
        "My kids are doing well at school.",
        "That I have beautiful handwriting and good hands for nails.",
        "Learn English first, then learn about business.",
        "I need my own bank account and more English.",
        "Time. Work and the kids take all my day.")),
        ("2026-07-10", (
        "I made a plan and I followed it, a little every week.",
        "I can do hard things in English now.",
        "My English teacher, and my sister.",
        "My sister, Thu, and the after-school programme.",
        "I opened my own bank account. Only I can see it.",
        "My friends ask me for advice now.",
        "Save money and take a small business class.",
        "A home of our own. I will keep looking with the housing team.",
        "The housing list is slow. I will keep asking."))),
    9: (("2026-08-14", (
        "Prayer and fasting give me strength.",
        "I am braver than I knew.",
        "The priest who speaks Amharic, and my friend from the shelter.",
        "My friend from the shelter.",
        "I moved into my own room before the cold weather.",
        "That I am a good cook and a good listener.",
        "English first, then a job in a kitchen or a hotel.",
        "",
        "I miss my family. I call them when I can.")),),
    10: (("2026-09-08", (
        "I sing when I feel low. My children sing with me.",
        "My voice matters.",
        "My grandmother at home.",
        "My neighbour and my friends from church.",
        "My papers are moving, and my children are fed and happy.",
        "That I never give up.",
        "Being ready for court, with the advocate beside me.",
        "I want the court part to be finished so we can rest.",
        "Waiting for court makes me nervous. Visiting the courtroom helped.")),),
    13: (("2025-11-17", (
        "I sang. Music is my medicine.",
        "That I can keep my children's routine steady.",
        "My mother, and the choir.",
        "My comadre Lupe, and the choir director.",
        "My children. And my tres leches cake.",
        "That I make everyone feel welcome.",
        "With help from legal aid, and a lot of coffee.",
        "A parenting plan the court agrees to. I am working on it with the lawyer.",
        "Paperwork in English. The interpreter helps.")),
        ("2026-09-22", (
        "I came back when I needed to. That took courage too.",
        "That coming back for help is not going backwards.",
        "My mother, my choir, and my market customers.",
        "Lupe, the choir, and the lawyer.",
        "My stall at the Saturday market sells out.",
        "They call me the cake lady. I like that.",
        "Prepare for the hearing, then look for our own place with a yard.",
        "The new hearing. I will go with the court advocate and know what to expect.",
        "My teeth, and the hearing. I am taking them one at a time."))),
    14: (("2026-06-03", (
        "Biscuit. Walking my dog every day got me out of bed.",
        "I can be organised when it counts.",
        "My abuela, and my friend from work.",
        "My friend Yesenia.",
        "I kept Biscuit with me through everything.",
        "That I am fierce and funny.",
        "A place for me and Biscuit, then my GED, then a better job.",
        "Childcare, and a way to get around. Driving lessons would change a lot.",
        "I feel anxious sometimes. The counsellor is helping.")),),
    19: (("2026-04-14", (
        "My faith and my children.",
        "I know what I need, and I can ask for it.",
        "My aunt, who came here before me.",
        "My aunt, and the women at the mosque.",
        "I asked for a woman case manager, and I got one.",
        "That I am generous.",
        "With help, and with patience.",
        "A home for the children, with space to play.",
        "English. And the forms.")),
        ("2026-10-09", (
        "I found a home for my family. I did not stop.",
        "I can run a household budget in a new country.",
        "The women's circle at the mosque.",
        "My aunt, my neighbours, and Grace.",
        "Our new home with a yard. The children play outside every day.",
        "My neighbours say my tea is the best on the street.",
        "Food benefits first, then English classes when the children are settled.",
        "More English. Maybe a class near the school.",
        "Money for food. The benefits desk is helping with the application."))),
    21: (("2026-10-26", (
        "I held on to my plan to call my mother every Sunday.",
        "I am stronger when I ask for help.",
        "My mother, and a woman at the shelter who showed me around.",
        "The shelter staff, and my friend Joy.",
        "I got my ID card back.",
        "That I am cheerful even on hard days.",
        "Papers first, then work.",
        "I need my passport and a work permit. The lawyer is helping.",
        "I feel nervous outside. I practise short walks.")),),
    23: (("2026-03-30", (
        "Coaching my son's team. Saturdays kept me going.",
        "Patience. And that I can stay calm in hard conversations.",
        "My dad, and my old coach.",
        "My brother, and the other parents on the team.",
        "My son. And the parenting plan we worked out.",
        "That I am steady and fair.",
        "A lease in my name, close to my son's school.",
        "A job with regular hours, so I can plan ahead.",
        "Saving for a deposit. I put a little aside every week.")),),
    27: (("2026-05-11", (
        "My dog. She needed me, and I needed her.",
        "I know how to rebuild. I have done it before.",
        "My friend Sam from the library.",
        "Sam, and my dog.",
        "We found a place that takes dogs.",
        "That I am good with computers and with animals.",
        "Fixing my credit, one letter at a time.",
        "My credit report. I will dispute the accounts that are not mine.",
        "Finding a counsellor who gets me. I will try again.")),),
    6: (("2026-05-12", (
        "I made a plan for each day and kept to it. Small jobs, one at a time.",
        "That I stay calm when others panic. I did not know that before.",
        "My old football coach. He always said, finish the match.",
        "My brother on the phone, and my neighbour Petro.",
        "I found this place and asked for help myself.",
        "That I am reliable and I fix things for everyone.",
        "Papers first, then English, then work with my hands again.",
        "I need the permit to work legally. The lawyer is working on it.",
        "English is slow. I practise with the radio every evening.")),),
    18: (("2026-08-19", (
        "I thought about my children's faces. That was enough to keep going.",
        "That I am patient, and that I can start again.",
        "My grandmother, who taught me to read.",
        "My sister-in-law, and the teacher at the children's school.",
        "My children go to school every day and like it.",
        "That I explain things clearly. I was a teacher at home.",
        "English classes first, then I will ask about my certificate.",
        "My certificate from home needs to count here. I will send the papers.",
        "Going out alone still feels hard. I walk a little further each week.")),),
    26: (("2026-09-23", (
        "Prayer, and talking to my brother on the phone every week.",
        "That I can keep going even when I am very tired.",
        "The imam at the mosque near my old work.",
        "My brother, and a friend from the English class.",
        "I send a little money home every month.",
        "That I am kind and I always keep my word.",
        "English in the mornings, looking for work in the afternoons.",
        "A room of my own. I am saving for the first month.",
        "Finding work with fair pay. I will go with the job coach to the fair.")),),
    20: (("2026-10-27", (
        "I held on to my routine: work, my plants, a call to my mother.",
        "That I know when something is not right, and I listen to that.",
        "My mother. She always says I am braver than I think.",
        "My mother, and my friend Rocío from work.",
        "I got a new phone that is only mine.",
        "That I am funny and I always remember birthdays.",
        "One thing at a time. First the phone, then a room, then a counsellor.",
        "A room of my own. I am looking at listings with Daniel.",
        "I feel nervous when I am alone at night. I am learning a breathing exercise.")),),
}

# Safety plans, in the client's own voice, calm and practical. Each client gets one
# of these shapes with their own trusted person; "draft" plans were written from
# the intake conversation and are still to be gone through with the client.
PLAN_SHAPES: dict[str, dict[str, str]] = {
    "home": {
        "main_concern": "Feeling safe at home and on the way to and from work.",
        "places": "The library and the community centre are safe places to wait; both have "
        "staff at the desk.",
        "community": "My neighbour knows to call for help if something seems wrong.",
        "money_material": "A little cash and a bus pass in my coat pocket. My own bank card.",
        "before": "Keep my phone charged. Vary my route. Tell {person} my plans for the day.",
        "during": "Go to the room with the door to the outside. Send our code word to "
        "{person}. Call emergency services if I need to.",
        "after_leaving": "Stay with {person} the first nights. Call my case manager the next "
        "morning.",
        "safe_to_keep": "Copies of my ID and important papers with {person}, and a copy of "
        "this plan at the agency.",
    },
    "before": {
        "main_concern": "A former employer still has my old number and knows the area where "
        "I used to live.",
        "places": "My English class, my place of worship, and the agency office.",
        "community": "People at my faith community know not to share where I live.",
        "money_material": "My own bank account. My card and my ID stay with me.",
        "before": "Use only my new phone. Do not answer numbers I do not know. Keep my weekly "
        "check-in.",
        "during": "If someone from before contacts me, I do not reply. I save the message and "
        "call my case manager.",
        "after_leaving": "",
        "safe_to_keep": "My passport and papers stay at legal aid's office until I have a "
        "safe place for them.",
    },
    "shelter": {
        "main_concern": "Settling in safely at the shelter.",
        "places": "The shelter and the community centre. The shelter address stays private.",
        "community": "Shelter staff know who I do and do not want to hear from.",
        "money_material": "A locker for my papers, and a little cash.",
        "before": "Use only my new number. Sign in and out at the desk.",
        "during": "Go to the staff office and ask for help.",
        "after_leaving": "Plan the move to my own room with my case manager.",
        "safe_to_keep": "My ID and important papers in the shelter locker.",
    },
    "online": {
        "main_concern": "Someone from before knows my old accounts and may try to find me "
        "online.",
        "places": "Home, the community centre, and time with {person}.",
        "community": "My friends know not to post photos of me or tag where we are.",
        "money_material": "A new bank account with a new password. Paper copies of important "
        "numbers.",
        "before": "New phone, new accounts, location sharing off. Check privacy settings once "
        "a month with my case manager.",
        "during": "If a message comes from the old accounts, I do not answer. I take a "
        "screenshot and tell my case manager.",
        "after_leaving": "Change passwords again and let {person} know.",
        "safe_to_keep": "Screenshots in a folder only I can open, and a copy with my case "
        "manager.",
    },
    "handovers": {
        "main_concern": "Handovers of the children at weekends.",
        "places": "Handovers happen at the community centre, where staff are around.",
        "community": "The school office knows who may collect the children.",
        "money_material": "Cash for a taxi kept at home. My own bank account.",
        "before": "Confirm handover times by text only. Bring {person} if I want to.",
        "during": "If a handover feels tense, I go inside the community centre and ask staff "
        "for help.",
        "after_leaving": "Text {person} when we are home.",
        "safe_to_keep": "The parenting plan and the school contact list, at home and at the "
        "agency.",
    },
    "court": {
        "main_concern": "Feeling safe around court dates.",
        "places": "The court advocate's quiet waiting room, and the agency office.",
        "community": "Friends I trust know the hearing day and will check in afterwards.",
        "money_material": "Bus fare and a little cash set aside for court days.",
        "before": "Visit the courtroom ahead of time. Plan the route with my advocate. Arrive "
        "and leave with someone.",
        "during": "Stay with my advocate. If I feel unsafe, tell court security.",
        "after_leaving": "Someone walks with me to the bus. I call {person} when I get home.",
        "safe_to_keep": "Copies of the court papers and any order, at home and at the agency.",
    },
    "calm": {
        "main_concern": "Hard days, and feeling calm when I go out.",
        "places": "The park near home, the library, and time with {person}.",
        "community": "My class knows I may leave early sometimes, and that is fine.",
        "money_material": "Bus pass and phone credit topped up every month.",
        "before": "Plan outings in daylight with a friend. Keep the breathing exercise card in "
        "my wallet.",
        "during": "Use the breathing exercise. Call {person} or the agency line.",
        "after_leaving": "Rest, eat something, and write down what helped.",
        "safe_to_keep": "This plan and my counsellor's number, in my bag and on my phone.",
    },
}
DRAFT_PLAN = {
    "main_concern": "Draft from the intake conversation, to go through with {first} at the "
    "next meeting.",
}
# Client -> (shape, trusted person, their number, drafted without the client).
PLANS: dict[int, tuple[str, str, str, bool]] = {
    1: ("home", "my sister", "555-0142", False),
    2: ("before", "my cousin", "555-0143", False),
    3: ("calm", "my aunt", "555-0144", False),
    4: ("court", "my brother", "555-0145", False),
    5: ("home", "my friend from the study circle", "555-0146", False),
    6: ("before", "my friend from English class", "555-0147", False),
    7: ("calm", "my cousin Mereana", "555-0148", False),
    8: ("home", "my friend Thu", "555-0149", False),
    9: ("calm", "my friend from the shelter", "555-0150", False),
    10: ("court", "my neighbour", "555-0151", False),
    12: ("online", "my friend from art class", "555-0152", False),
    13: ("handovers", "my comadre Lupe", "555-0153", False),
    14: ("home", "my friend Yesenia", "555-0154", False),
    15: ("calm", "my cousin in the city", "555-0155", False),
    16: ("home", "my friend at work", "555-0156", False),
    17: ("online", "a friend", "555-0157", True),
    18: ("calm", "my Dari-speaking neighbour", "555-0158", False),
    19: ("home", "my aunt", "555-0159", False),
    21: ("shelter", "my friend Joy", "555-0160", False),
    23: ("handovers", "my brother", "555-0161", False),
    24: ("before", "my housemate", "555-0162", True),
    25: ("calm", "my aunty", "555-0163", False),
    26: ("before", "my friend from the mosque", "555-0164", False),
    27: ("online", "my friend Sam", "555-0165", False),
    28: ("handovers", "my neighbour", "555-0166", False),
    29: ("court", "my friend from the community centre", "555-0167", False),
    30: ("online", "my friend from the climbing gym", "555-0168", False),
    31: ("home", "my best friend", "555-0169", False),
    32: ("handovers", "my sister-in-law", "555-0170", False),
    33: ("online", "my cousin", "555-0171", False),
    34: ("calm", "my friend from the market", "555-0172", False),
}
AGENCY_LINE = "555-0100"

LK, LS = LegalKind, LegalStatus
# (client, kind, status, day, description, note). Only for clients who chose to
# consider or engage with the legal system.
LEGAL: tuple[tuple[int, LegalKind, LegalStatus, str, str, str], ...] = (
    (1, LK.VICTIM_COMPENSATION, LS.CONSIDERING, "2026-10-28", "Compensation fund application",
     "Amara is reading the information sheet. No decision yet, and no rush."),
    (2, LK.VICTIM_COMPENSATION, LS.PENDING, "2026-10-16", "Compensation fund application",
     "Legal aid filed it; the fund asked for one more document, which Tomás sent."),
    (2, LK.COURT_DATE, LS.SCHEDULED, "2027-01-20", "Hearing in the wage case",
     "Tomás may take part by video, with a Spanish interpreter."),
    (4, LK.COURT_DATE, LS.DONE, "2026-09-15", "First hearing",
     "Went ahead; the next date was set on the day."),
    (4, LK.COURT_DATE, LS.SCHEDULED, "2026-11-18", "County court hearing",
     "Daniel will go with Kwame; the court advocate has booked the quiet waiting room."),
    (5, LK.PROTECTIVE_ORDER, LS.WITHDRAWN, "2026-05-04", "Protective order",
     "Fatima heard the options from legal aid and decided not to apply for now. She knows "
     "she can come back to it any time."),
    (6, LK.COURT_DATE, LS.PENDING, "2027-02-02", "Hearing in the labour case",
     "The attorney expects this date to be confirmed soon. Olek would like written updates."),
    (10, LK.PROTECTIVE_ORDER, LS.GRANTED, "2026-09-08", "Protective order",
     "Granted for one year. Wideline keeps a copy, and the school office has one."),
    (10, LK.COURT_DATE, LS.SCHEDULED, "2026-12-03", "Family court hearing",
     "The court advocate will be there; Haitian Creole interpreter booked."),
    (13, LK.COURT_DATE, LS.DONE, "2026-01-16", "Parenting plan hearing",
     "The plan was agreed on the day."),
    (13, LK.COURT_DATE, LS.SCHEDULED, "2026-11-19", "Parenting plan review hearing",
     "Rosa would like the court advocate and Priya with her. Spanish interpreter booked."),
    (16, LK.PROTECTIVE_ORDER, LS.CONSIDERING, "2026-10-08", "Protective order",
     "Jolene asked for information and legal aid explained the steps. Her decision, in her "
     "own time."),
    (21, LK.VICTIM_COMPENSATION, LS.CONSIDERING, "2026-11-06", "Compensation fund application",
     "Talked about what the fund covers; Maricel will decide once her documents are sorted."),
    (23, LK.PROTECTIVE_ORDER, LS.GRANTED, "2026-03-30", "Protective order",
     "Granted. The renewal date is in Malik's calendar and in ours."),
    (23, LK.COURT_DATE, LS.DONE, "2026-06-15", "Custody hearing", "Parenting plan agreed."),
    (23, LK.VICTIM_COMPENSATION, LS.FILED, "2026-09-11", "Compensation fund application",
     "Filed with legal aid's help; a decision usually takes a few months."),
    (29, LK.PROTECTIVE_ORDER, LS.GRANTED, "2026-06-08", "Protective order",
     "Granted. Oksana keeps a copy with her papers."),
    (29, LK.VICTIM_COMPENSATION, LS.DENIED, "2026-09-24", "Compensation fund application",
     "The fund said no. Legal aid is looking at a review with Oksana, if she wants one."),
    (31, LK.COURT_DATE, LS.DONE, "2026-02-11", "Final hearing", "Went ahead as planned."),
    (31, LK.VICTIM_COMPENSATION, LS.GRANTED, "2026-05-14", "Compensation fund application",
     "Approved; it covered moving costs and counselling."),
)

# Meetings planned for the week after as_of: (client, staff, day, kind, minutes, summary).
PLANNED: tuple[tuple[int, int, str, MeetingKind, int, str], ...] = (
    (13, 1, "2026-11-19", MeetingKind.ACCOMPANIMENT, 180,
     "Planned: going with {first} to the parenting plan review hearing. The court advocate "
     "will meet us there."),
    (8, 1, "2026-11-20", MeetingKind.PHONE_VIDEO, 30,
     "Planned phone check-in between 10:00 and 14:00, as {first} prefers."),
    (21, 1, "2026-11-20", MeetingKind.SCHEDULED, 60,
     "Planned case meeting at the shelter: documents, then the work permit."),
    (4, 2, "2026-11-18", MeetingKind.ACCOMPANIMENT, 180,
     "Planned: going with {first} to the county court hearing."),
)
# fmt: on
#: Start times of the planned meetings, so they sit on the week grid and calendar.
#: Maricel's Friday meeting overlaps Priya's self-care block on purpose: the week
#: screen flags the clash, which is worth showing in a class.
PLANNED_AT = {
    (13, "2026-11-19"): "09:30",
    (8, "2026-11-20"): "11:00",
    (21, "2026-11-20"): "15:00",
    (4, "2026-11-18"): "10:00",
}
# fmt: off
# -- for funders' reports ---------------------------------------------------------------
# The agency's grants: (name, program, award number, starts, ends, note). Every award
# number is made up, and reads as one.
FUNDING: tuple[tuple[str, FundingProgram, str, str, str, str], ...] = (
    ("VOCA 2026", FundingProgram.VOCA, "2025-V2-GX-0000", "2025-10-01", "2027-09-30",
     "Two-year federal subgrant through the state office; reported every quarter."),
    ("State Survivor Services 2026", FundingProgram.STATE, "ST-SS-0000-EXAMPLE",
     "2026-01-01", "2026-12-31", "The state's survivor services grant, reported twice a year."),
    ("Lanternwick Foundation Emergency Fund", FundingProgram.PRIVATE, "LCF-0000",
     "2026-04-01", "2027-03-31", "Small emergency payments: groceries, bus passes, a deposit."),
)
# What each client told us for funders' reports, all optional:
# client -> (victimization types, age group, gender identity, race/ethnicity, special
# classifications, funding sources 1-based). Empty: not asked yet. "not_reported" and
# "declined" are answers of their own.
DV, SA, SH = "domestic_family_violence", "adult_sexual_assault", "stalking_harassment"
TS, TL = "trafficking_sex", "trafficking_labor"
ADULT, YOUNG, OLDER = "age_25_59", "age_18_24", "age_60_up"
ASIAN, BLACK, LATINO, WHITE = "asian", "black_african_american", "hispanic_latino", "white"
PACIFIC, NATIVE = "native_hawaiian_pacific_islander", "american_indian_alaska_native"
ANOTHER = "another_race"
NEW_HERE, ENGLISH, LGBTQ = "immigrant_refugee_asylum", "limited_english", "lgbtq"
NR, DECLINED, NONE = "not_reported", "declined", "none"
Codes = tuple[str, ...]
FUNDER_FIELDS: dict[int, tuple[Codes, str, str, Codes, Codes, tuple[int, ...]]] = {
    1: ((DV,), ADULT, "woman", (BLACK,), (NONE,), (1,)),
    2: ((TL,), ADULT, "man", (LATINO,), (NEW_HERE, ENGLISH), (1, 2)),
    3: ((TL,), "", "woman", (ASIAN,), (NEW_HERE, ENGLISH), (1,)),
    4: ((SH,), ADULT, "man", (BLACK,), (NONE,), (2,)),
    5: ((DV, SH), ADULT, "woman", (DECLINED,), (NEW_HERE, ENGLISH), (1,)),
    6: ((TL,), ADULT, "man", (WHITE,), (NEW_HERE, ENGLISH), (1,)),
    7: ((SA,), YOUNG, "woman", (PACIFIC, WHITE), (LGBTQ,), (2,)),
    8: ((TL,), ADULT, "woman", (ASIAN,), (NEW_HERE, ENGLISH), (1,)),
    9: ((TS, TL), YOUNG, "woman", (BLACK,), (NEW_HERE, ENGLISH, "homeless"), (1,)),
    10: ((DV,), ADULT, "woman", (BLACK,), (NEW_HERE, ENGLISH), (1, 2)),
    11: ((TL,), NR, "man", (WHITE,), (NEW_HERE,), (1,)),
    12: ((SA, SH), "", "another_gender", (ASIAN,), (), (2,)),
    13: ((DV,), ADULT, "woman", (LATINO,), (NEW_HERE, ENGLISH), (1,)),
    14: ((DV, SH), ADULT, "woman", (LATINO,), (NONE,), (2,)),
    15: ((TL,), ADULT, "woman", (ASIAN,), (NEW_HERE,), (1,)),
    16: ((DV, SH), ADULT, "woman", (WHITE,), (NONE,), (2,)),
    17: ((TS,), YOUNG, "another_gender", (WHITE, NATIVE), (LGBTQ, "homeless"), (1,)),
    18: ((DV,), ADULT, "woman", (NR,), (NEW_HERE, ENGLISH), (1,)),
    19: ((DV,), ADULT, "woman", (BLACK,), (NEW_HERE, ENGLISH, "disability"), (1,)),
    20: ((SA,), YOUNG, "woman", (LATINO, NATIVE), (NEW_HERE,), (1,)),
    21: ((TL,), ADULT, "woman", (ASIAN,), (NEW_HERE,), (1,)),
    22: ((), "", "", (), (), ()),
    23: ((DV,), ADULT, "man", (BLACK,), (NONE,), (2,)),
    24: ((TL,), ADULT, "man", (ASIAN,), (NEW_HERE, ENGLISH), (1,)),
    25: ((SA,), ADULT, "woman", (PACIFIC,), (NR,), ()),
    26: ((TL,), ADULT, "man", (DECLINED,), (NEW_HERE, ENGLISH), (1,)),
    27: ((DECLINED,), DECLINED, DECLINED, (DECLINED,), (DECLINED,), ()),
    28: ((DV,), ADULT, "woman", (ANOTHER,), (NEW_HERE,), (1,)),
    29: ((DV, SH), ADULT, "woman", (WHITE,), (NEW_HERE, ENGLISH), (1, 2)),
    30: ((TS,), YOUNG, "another_gender", (), (LGBTQ,), (2,)),
    31: ((DV,), "", "woman", (), (), (1,)),
    32: ((DV,), OLDER, "woman", (LATINO,), (ENGLISH,), (1,)),
    33: ((DV,), ADULT, "woman", (ASIAN,), (NEW_HERE,), (1,)),
    34: ((SA,), "", "", (), (), ()),
}
# People close to a client: (client, relationship, age group, harmed, served, known as).
# Counted in funders' reports only when harmed and served; never shown in them.
HOUSEHOLD: tuple[tuple[int, Relationship, str, bool, bool, str], ...] = (
    (1, Relationship.CHILD, "age_0_12", False, False, "her son"),
    (5, Relationship.CHILD, "age_13_17", True, True, "eldest"),
    (5, Relationship.CHILD, "age_0_12", False, False, "youngest"),
    (6, Relationship.PARTNER, ADULT, True, True, "his partner"),
    (10, Relationship.CHILD, "age_0_12", True, True, "younger daughter"),
    (10, Relationship.CHILD, "age_13_17", True, False, "older daughter"),
    (14, Relationship.CHILD, "age_0_12", True, True, "her daughter"),
    (22, Relationship.CHILD, "age_0_12", True, True, "her son"),
)
# Services given without a meeting, referral or legal matter to record them:
# (client, day, service code, times, funding sources 1-based or none for the client's, note).
GIVEN_SERVICES: tuple[tuple[int, str, str, int, tuple[int, ...], str], ...] = (
    (9, "2026-07-08", "D1", 14, (),
     "Two weeks at the partner shelter while the transitional housing place was arranged."),
    (18, "2026-07-22", "A2", 1, (),
     "Went over {first}'s rights and how to hear about updates, with the Dari interpreter."),
    (17, "2026-08-04", "A2", 1, (), "Went over {first}'s rights, in writing too, as asked."),
    (14, "2026-08-12", "C7", 1, (3,), "Grocery card from the emergency fund."),
    (10, "2026-08-18", "A2", 1, (),
     "Went over {first}'s rights and how to hear about court updates, in Haitian Creole."),
    (10, "2026-09-02", "C7", 1, (3,), "Bus passes for the month, from the emergency fund."),
    (19, "2026-09-16", "B9", 2, (), "Bus tickets there and back for the benefits office."),
    (20, "2026-09-29", "A2", 1, (), "Went over {first}'s rights; a leaflet in Spanish."),
    (21, "2026-10-06", "D1", 10, (), "Ten nights at the shelter until her room was ready."),
    (22, "2026-11-10", "A2", 1, (), "Went over {first}'s rights at intake."),
)
# fmt: on


def back_to_weekday(day: date) -> date:
    """The day itself, or the Friday before when it falls on a weekend."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def near_weekday(day: date) -> date:
    """The day itself, or the nearest weekday: Friday for a Saturday, Monday for a Sunday."""
    return {5: day - timedelta(days=1), 6: day + timedelta(days=1)}.get(day.weekday(), day)


def on_to_weekday(day: date) -> date:
    """The day itself, or the Monday after when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def between(rng: random.Random, first: date, last: date) -> date:
    """A day from ``first`` to ``last`` inclusive (``first`` if they cross)."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


class Case:
    """One client's records while they are made, and the numbering shared by all."""

    def __init__(self, rng: random.Random, number: int, p: Person, tables: Tables) -> None:
        self.rng, self.p, self.t = rng, p, tables
        self.number = number
        self.id = f"cl_sample{number:03d}"
        self.intake = date.fromisoformat(p.intake)
        self.end = date.fromisoformat(p.end) if p.end else AS_OF
        self.tenure = (self.end - self.intake).days
        self.keys = p.goals.split()
        self.statuses = goal_statuses(rng, p, self.tenure)
        self.need_ids: dict[str, str] = {}
        self.need_goal: dict[str, str] = {}  # need key -> the goal that sets its status
        self.goal_ids: list[tuple[str, str]] = []  # (goal id, goal key)
        #: Needs the intake added after the first version of the caseload: numbered
        #: after every other need (see :func:`build`), so that older ids stay as they were.
        self.later_needs: list[tuple[str, dict[str, Any]]] = []

    def say(self, template: str, **more: str) -> str:
        return template.format(first=self.p.first, **more)

    def manager_on(self, day: date) -> int:
        """The 0-based index of the client's case manager on ``day`` (handoffs included)."""
        for handoff in HANDOFFS.get(self.number, ()):
            if day < date.fromisoformat(handoff.on):
                return handoff.before - 1
        return self.p.staff - 1

    def needs(self) -> None:
        """The safety plan, interpretation, the needs the goals serve, and a few more."""
        p, rng = self.p, self.rng
        keys = ["safety_plan", *(["interpretation"] if p.interpreter else [])]
        keys += [GOALS[g][1] or "" for g in self.keys] + list(p.extra)
        keys += rng.sample(EXTRA_NEEDS, rng.randint(2, 3))
        if p.legal == "not_engaged" and rng.random() < 0.5:
            keys.append("legal_assistance")
        order = list(CATALOG_BY_KEY)
        keys = sorted(
            dict.fromkeys(k for k in keys if k),
            key=lambda k: (k in CUSTOM, order.index(k) if k in CATALOG_BY_KEY else 0),
        )
        from_goals: dict[str, NeedStatus] = {}
        for g, status in zip(self.keys, self.statuses, strict=True):
            if (key := GOALS[g][1]) is not None:
                from_goals.setdefault(key, GOAL_TO_NEED.get(status, NS.NEEDED))
                self.need_goal.setdefault(key, g)
        for key in keys:
            if key in CUSTOM:
                label, horizon, domain = CUSTOM[key]
            else:
                need = CATALOG_BY_KEY[key]
                label, horizon, domain = need.label, need.horizon, need.domain
            note = ""
            if key in from_goals:
                status = from_goals[key]
            elif key == "interpretation":
                status, note = NS.MET, f"Phone interpreter ({p.language}) booked for meetings."
            elif key == "legal_assistance":
                status, note = NS.DECLINED, DECLINED_LEGAL
            elif key == "safety_plan":
                status = NS.IN_PROGRESS if self.tenure < 30 else NS.MET
                note = "Made together; {first} keeps a copy somewhere safe."
            elif p.status is C:
                status = rng.choice((NS.MET, NS.MET, NS.NOT_NEEDED, NS.DECLINED))
            else:
                status = rng.choices(*NEED_WEIGHTS[horizon])[0]
            if not note and status in NEED_NOTES and rng.random() < 0.6:
                note = rng.choice(NEED_NOTES[status])
            self.need_ids[key] = f"nd_sample{len(self.t.needs) + 1:04d}"
            dated = status is not NS.NOT_ASSESSED
            self.t.needs.append(
                {
                    "id": self.need_ids[key],
                    "client_id": self.id,
                    "catalog_key": None if key in CUSTOM else key,
                    "label": label,
                    "horizon": horizon,
                    "domain": domain,
                    "status": status,
                    "status_date": iso(between(rng, self.intake, self.end)) if dated else None,
                    "note": self.say(note),
                }
            )

    def intake_basics(self) -> None:
        """The intake assessment: basic needs and health care, recorded for (nearly) all.

        It draws from its own random stream, so the rest of the caseload is the same
        whether or not it runs.
        """
        p = self.p
        rng = random.Random(f"{SEED}/intake/{self.number}")
        mine = {n["catalog_key"]: n for n in self.t.needs if n["client_id"] == self.id}
        still_open = INTAKE_OPEN.get(self.number, ())
        wanted = ["food", "clothing", "acute_medical_dental"]
        if not {"secure_shelter", "transitional_housing", "permanent_housing"} & set(mine):
            wanted.insert(0, "secure_shelter")
        mental = [mine[k] for k in ("mental_health", "crisis_counselling") if k in mine]
        if not any(n["status"] in HEALTH_SETTLED for n in mental):
            wanted.append("crisis_counselling")
        # Asked at intake since the readiness rules follow the standard more closely:
        # hygiene; where the client stays now, when the housing on the checklist is
        # still to come; and a social need, when none is recorded yet.
        everything = [n for n in self.t.needs if n["client_id"] == self.id]
        later = ["personal_necessities"]
        if "secure_shelter" not in wanted and not any(
            n["status"] in BASIC_RECORDED
            for n in everything
            if n["catalog_key"] in ("secure_shelter", "transitional_housing", "permanent_housing")
        ):
            later.append("secure_shelter")
        if not any(
            n["status"] in BASIC_RECORDED for n in everything if n["domain"] is Domain.SOCIAL
        ):
            later.append(SOCIAL_AT_INTAKE)
        later = [k for k in later if k not in INTAKE_SKIPPED.get(self.number, ())]
        for key in [*wanted, *later]:
            health = key in ("acute_medical_dental", "crisis_counselling")
            if key in still_open:
                status = NS.NOT_ASSESSED if health else NS.NEEDED
            elif p.status is C:
                status = NS.MET
            elif health:
                status = rng.choices((NS.MET, NS.DECLINED), (4, 1))[0]
            else:
                status = rng.choices(BASIC_RECORDED, (6, 3, 1))[0]
            need = mine.get(key)
            settled = HEALTH_SETTLED if health else BASIC_RECORDED
            if need is not None and (key in self.need_goal or need["status"] in settled):
                continue  # a goal sets its status, or it is already recorded
            note = self.say(INTAKE_NOTES.get(key, {}).get(status, ""))
            dated = iso(between(rng, self.intake, min(self.end, self.intake + timedelta(days=14))))
            if need is None:
                catalog = CATALOG_BY_KEY[key]
                need = {
                    "id": "",
                    "client_id": self.id,
                    "catalog_key": key,
                    "label": catalog.label,
                    "horizon": catalog.horizon,
                    "domain": catalog.domain,
                }
                if key in later:
                    self.later_needs.append((key, need))
                else:
                    self.need_ids[key] = need["id"] = f"nd_sample{len(self.t.needs) + 1:04d}"
                    self.t.needs.append(need)
            need.update(
                status=status,
                status_date=dated if status is not NS.NOT_ASSESSED else None,
                note=note if status is not NS.NOT_ASSESSED else "",
            )

    def goals(self) -> None:
        """The goal sheet in the client's own words, with dated progress notes."""
        rng, gs = self.rng, GoalStatus
        for priority, (g, status) in enumerate(zip(self.keys, self.statuses, strict=True), 1):
            text, need, _topic, steps = GOALS[g]
            gid = f"go_sample{len(self.t.goals) + 1:04d}"
            self.goal_ids.append((gid, g))
            lines = {
                gs.ACHIEVED: [*steps, rng.choice(ACHIEVED_NOTES)],
                gs.IN_PROGRESS: list(steps[: rng.randint(1, len(steps))]),
                gs.PAUSED: ["Paused at {first}'s request, to focus on other goals for now."],
                gs.REVISED: ["Reworded together: {first} wanted a smaller first step."],
            }.get(status, [])
            start = min(self.intake + timedelta(days=7), self.end)
            days = sorted(between(rng, start, self.end) for _ in lines)
            target = None
            if need and self.need_goal.get(need) == g and status in GOAL_TO_NEED:
                row = next(n for n in self.t.needs if n["id"] == self.need_ids[need])
                row["status_date"] = iso(days[-1])  # the need moved with the goal
            if status is gs.ACHIEVED:
                target = days[-1] + timedelta(days=rng.randint(0, 30))
            elif status in (gs.IN_PROGRESS, gs.NOT_STARTED) and rng.random() < 0.6:
                target = on_to_weekday(AS_OF + timedelta(days=rng.randint(30, 300)))
            self.t.goals.append(
                {
                    "id": gid,
                    "client_id": self.id,
                    "text": text,
                    "priority": priority,
                    "status": status,
                    "target_date": iso(target),
                    "linked_needs": [self.need_ids[need]] if need else [],
                    "progress_notes": [
                        {"on": iso(d), "text": self.say(line)}
                        for d, line in zip(days, lines, strict=True)
                    ],
                }
            )

    def meeting_days(self) -> list[date]:
        """Intake, then every check-in, walked back from the last meeting.

        Walking back lets the last meeting, which sets the next check-in, fall
        exactly where this client's place in the caseload list needs it.
        """
        p, rng = self.p, self.rng
        if p.status is not A:
            last = back_to_weekday(self.end)
        elif p.overdue:
            last = back_to_weekday(AS_OF - timedelta(days=p.interval + p.overdue))
        else:
            last = near_weekday(AS_OF - timedelta(days=rng.randint(1, p.interval - 3)))
        soon = self.intake + timedelta(days=3)
        days = [last] if last > soon else []
        while days:
            day = near_weekday(days[-1] - timedelta(days=p.interval + rng.randint(-2, 3)))
            if day <= soon:
                break
            days.append(day)
        return [self.intake, *reversed(days)]

    def meetings(self) -> None:
        p, rng = self.p, self.rng
        days = self.meeting_days()
        via = " by text" if "t" in p.contact else " by phone" if "c" in p.contact else ""
        crisis_after = rng.randrange(len(days)) if rng.random() < 0.3 else -1
        active = [
            goal
            for goal, status in zip(self.goal_ids, self.statuses, strict=True)
            if status in ACTIVE_GOAL_STATUSES
        ]
        talked = self.intake  # the last meeting that went over progress
        for index, on in enumerate(days):
            cm = self.manager_on(on)
            gid, g = rng.choice(active if active and rng.random() < 0.8 else self.goal_ids)
            words = {
                "topic": GOALS[g][2],
                "via": via or " in person",
                "place": ACCOMPANY.get(GOALS[g][1] or "", ""),
            }
            kind = rng.choices(tuple(KIND_WEIGHTS), tuple(KIND_WEIGHTS.values()))[0]
            if kind is MT.ACCOMPANIMENT and not words["place"]:
                kind = MT.SCHEDULED
            final = index == len(days) - 1 and p.status is not A
            if index == 0 or (final and p.status is C):
                kind = MT.SCHEDULED
            elif final:
                kind = MT.PHONE_VIDEO
            who, observation = cm, rng.choice(OBSERVATIONS)
            if index == 0:
                observation = "Calm and direct about what matters most right now."
            elif kind in (MT.CHECK_IN, MT.PHONE_VIDEO) and rng.random() < 0.05:
                who = (cm + 1) % len(STAFF)
                observation = f"Covering for {STAFF[cm][0].split()[0]}. {observation}"
            if p.interpreter and kind is not MT.CHECK_IN:
                observation = f"{p.language} interpreter joined by phone. {observation}"
            others = [other for other, _ in self.goal_ids if other != gid]
            discussed = [gid]
            if kind is MT.SCHEDULED and others and rng.random() < 0.5:
                discussed.append(rng.choice(others))
            low, high = DURATIONS[kind]
            no_calls = kind is MT.PHONE_VIDEO and "c" not in p.contact
            summary_kind = VIDEO_ONLY if no_calls else kind
            row: dict[str, Any] = {
                "staff_id": f"st_sample{who + 1:02d}",
                "on": on,
                "duration_minutes": rng.randrange(low, high + 1, 5),
                "kind": kind,
                "summary": rng.choice(SUMMARIES[summary_kind]),
                "client_view": rng.choice(VIEWS),
                "observations": observation,
                "goals_discussed": discussed,
                "next_steps": rng.choice(NEXT_STEPS),
                "next_checkin": on_to_weekday(on + timedelta(days=p.interval)),
                # Planned meetings and phone or video calls go over progress; a short
                # check-in or an accompaniment sometimes does.
                "progress_discussed": (kind is MT.SCHEDULED or rng.random() < 0.3)
                or kind is MT.PHONE_VIDEO,
            }
            if index == 0:
                row |= INTAKE
            elif final:
                row |= PAUSE if p.status is H else CLOSING
            row |= CLOSED_AND_REOPENED.get((self.number, on.isoformat()), {})
            if index and (on - talked).days >= p.interval:
                row["progress_discussed"] = True  # a whole interval since it last came up
            if row["progress_discussed"]:
                talked = on
            self.add_meeting(row, words)
            gap = (days[index + 1] - on).days if index + 1 < len(days) else 0
            if index == crisis_after and gap > 3:
                crisis_on = on + timedelta(days=rng.randint(1, gap - 1))
                row = CRISIS | {
                    "staff_id": f"st_sample{self.manager_on(crisis_on) + 1:02d}",
                    "on": crisis_on,
                    "duration_minutes": rng.randrange(45, 95, 5),
                    "summary": rng.choice(SUMMARIES[MT.CRISIS]),
                    "next_checkin": crisis_on + timedelta(days=3),
                }
                self.add_meeting(row, words)

    def add_meeting(self, row: dict[str, Any], words: dict[str, str]) -> None:
        self.t.meetings.append(
            {"client_id": self.id}
            | {k: self.say(v, **words) if isinstance(v, str) else v for k, v in row.items()}
        )

    def client(self) -> None:
        p, rng = self.p, self.rng
        reassessed = None
        if self.tenure > 45:
            earliest = max(self.intake + timedelta(days=30), self.end - timedelta(days=120))
            reassessed = back_to_weekday(between(rng, earliest, self.end))
        self.t.clients.append(
            {
                "id": self.id,
                "preferred_name": p.name,
                "pronouns": p.pronouns,
                "intake_date": p.intake,
                "status": p.status,
                "case_manager_id": f"st_sample{p.staff:02d}",
                "checkin_interval_days": p.interval,
                "checkin_interval_agreed": p.agreed,
                "language": p.language,
                "interpreter_needed": p.interpreter,
                "culture_notes": p.culture,
                "faith_notes": p.faith,
                "may_call": "c" in p.contact,
                "may_text": "t" in p.contact,
                "may_leave_voicemail": "v" in p.contact,
                "safe_contact_notes": p.safe,
                "legal_engagement": p.legal,
                "needs_reassessed_on": iso(reassessed),
                **self.funder_fields(),
            }
        )

    def funder_fields(self) -> dict[str, Any]:
        """What the client chose to tell us for funders' reports (see FUNDER_FIELDS)."""
        types, age, gender, race, special, funding = FUNDER_FIELDS[self.number]
        return {
            "victimization_types": list(types),
            "age_group": age,
            "gender_identity": gender,
            "race_ethnicity": list(race),
            "special_classifications": list(special),
            "funding_source_ids": [funding_id(n) for n in funding],
        }


class Tables(NamedTuple):
    clients: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    needs: list[dict[str, Any]]
    meetings: list[dict[str, Any]]


# The intake assessment every client has: the basic needs (accreditation rule 4) and
# health care (rule 5). Who is still part-way through it, to teach the readiness list:
# client number -> the need keys not yet settled at intake.
INTAKE_OPEN: dict[int, tuple[str, ...]] = {
    # Esperanza, six days in: the checklist is still being filled in together.
    22: ("clothing", "acute_medical_dental", "crisis_counselling", "life_social_skills"),
}
#: Needs the intake did not record, so that the readiness list fails for them.
INTAKE_SKIPPED: dict[int, tuple[str, ...]] = {
    11: ("life_social_skills",),  # Joaquim: no social need yet, and his reassessment is due
}
#: The social need the intake records for a client whose checklist has none.
SOCIAL_AT_INTAKE = "life_social_skills"
BASIC_RECORDED = (NS.MET, NS.IN_PROGRESS, NS.DECLINED)
HEALTH_SETTLED = (NS.MET, NS.DECLINED, NS.NOT_NEEDED)
INTAKE_NOTES: dict[str, dict[NeedStatus, str]] = {
    "secure_shelter": {NS.MET: "{first} has a safe place to stay."},
    "food": {
        NS.MET: "{first} knows the food bank's hours and has enough for now.",
        NS.IN_PROGRESS: "Food bank referral made; a grocery card in the meantime.",
    },
    "clothing": {
        NS.MET: "Clothing bank visit done.",
        NS.IN_PROGRESS: "Clothing bank visit booked.",
        NS.DECLINED: "{first} has enough for now; offered again at reassessment.",
    },
    "acute_medical_dental": {
        NS.MET: "Seen at the community clinic, medical and dental.",
        NS.DECLINED: "{first} already has a doctor and a dentist.",
    },
    "personal_necessities": {
        NS.MET: "{first} has toiletries and a way to do laundry.",
        NS.IN_PROGRESS: "Hygiene kit from the agency's supply closet; laundry card on order.",
        NS.DECLINED: "{first} has what is needed for now; offered again at reassessment.",
    },
    "life_social_skills": {
        NS.MET: "{first} has people to lean on: friends, family or community.",
        NS.IN_PROGRESS: "{first} is trying the community centre's Thursday drop-in group.",
        NS.DECLINED: "{first} would rather not join a group for now; the offer stays open.",
    },
    "crisis_counselling": {
        NS.MET: "Met the agency counsellor at intake.",
        NS.DECLINED: "{first} chose not to see a counsellor for now; the offer stays open.",
    },
}


def goal_statuses(rng: random.Random, p: Person, tenure: int) -> list[GoalStatus]:
    """Statuses for the goal sheet, shaped by how long the client has been with us."""
    gs, n = GoalStatus, len(p.goals.split())
    if p.status is C:
        return [gs.ACHIEVED] * (n - 1) + [rng.choice((gs.ACHIEVED, gs.PAUSED))]
    if p.status is H:
        return [rng.choice((gs.IN_PROGRESS, gs.PAUSED)) for _ in range(n)]
    if n > 5 or tenure < 45:  # six active goals earn the gentle note in the app
        return [rng.choice((gs.IN_PROGRESS, gs.NOT_STARTED)) for _ in range(n)]
    weights = (min(35, tenure // 8), 40, 25, 8, 6)
    statuses = (gs.ACHIEVED, gs.IN_PROGRESS, gs.NOT_STARTED, gs.PAUSED, gs.REVISED)
    return rng.choices(statuses, weights, k=n)


def client_id(number: int) -> str:
    return f"cl_sample{number:03d}"


def funding_id(number: int) -> str:
    return f"fs_sample{number:02d}"


def staff_id(number: int) -> str:
    return f"st_sample{number:02d}"


def referral_steps(path: str) -> list[tuple[ReferralStatus, date]]:
    """The (status, day) steps a Ref path describes; see :class:`Ref`."""
    codes: list[ReferralStatus] = []
    given: list[date | None] = []
    for token in path.split():
        code, _, day = token.partition(":")
        codes.append(CODES[code])
        given.append(date.fromisoformat(day) if day else None)
    anchors = [(i, day) for i, day in enumerate(given) if day is not None]
    if anchors[0][0] != 0 or anchors[-1][0] != len(given) - 1:
        raise ValueError(f"{path!r}: the first and last steps need a day")
    days: list[date] = []
    for (a, first), (b, last) in itertools.pairwise(anchors):
        days.append(first)
        for i in range(a + 1, b):
            guess = first + timedelta(days=round((last - first).days * (i - a) / (b - a)))
            days.append(max(days[-1], min(near_weekday(guess), last)))
    days.append(anchors[-1][1])
    return list(zip(codes, days, strict=True))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class Casework:
    """The casework tables, made from the hand-written data above and the cases built."""

    def __init__(self, cases: dict[int, Case], tables: Tables) -> None:
        self.cases, self.t = cases, tables
        self.partner_ids = {key: f"pa_sample{i:02d}" for i, key in enumerate(PARTNERS, 1)}
        self.meeting_days: dict[str, list[date]] = {}
        for m in tables.meetings:
            self.meeting_days.setdefault(m["client_id"], []).append(m["on"])

    def client(self, number: int) -> Client:
        row = next(c for c in self.t.clients if c["id"] == client_id(number))
        return Client.from_dict(row)

    def partners(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self.partner_ids[key],
                "name": a.name,
                "kind": a.kind,
                "contact_person": a.contact,
                "phone": a.phone,
                "email": a.email,
                "address": a.address,
                "languages": a.languages,
                "trauma_informed": a.trauma_informed,
                "notes": a.notes,
            }
            for key, a in PARTNERS.items()
        ]

    def referrals(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Referrals with their histories, and the releases of information they rest on."""
        referrals: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        signed: set[tuple[int, str]] = set()
        ordered = sorted(REFERRALS, key=lambda r: (r.client, referral_steps(r.path)[0][1]))
        for n, ref in enumerate(ordered, 1):
            case, agency = self.cases[ref.client], PARTNERS[ref.partner]
            words = {"first": case.p.first, "partner": agency.name}
            steps = referral_steps(ref.path)
            history = []
            for i, (status, on) in enumerate(steps):
                if i == len(steps) - 1 and ref.last:
                    text = ref.last
                elif i and status is steps[i - 1][0]:
                    text = FOLLOW_UPS[(n + i) % len(FOLLOW_UPS)].format(**words)
                else:
                    options = STEP_NOTES[status]
                    text = options[(n + i) % len(options)].format(**words)
                history.append({"on": on, "status": status, "note": text})
            goals = {key: gid for gid, key in case.goal_ids}
            goal = case.need_goal.get(ref.need or "")
            referrals.append(
                {
                    "id": f"rf_sample{n:04d}",
                    "client_id": case.id,
                    "partner_id": self.partner_ids[ref.partner],
                    "service": agency.kind,
                    "need_id": case.need_ids[ref.need] if ref.need else None,
                    "goal_id": goals[goal] if goal else None,
                    "accompaniment": "a" in ref.help,
                    "transport": "t" in ref.help,
                    "follow_up_on": ref.follow_up,
                    "status": steps[-1][0],
                    "history": history,
                    "note": ref.note,
                }
            )
            shared = [on for status, on in steps if status is not RS.PLANNED]
            if shared and (ref.client, ref.partner) not in signed:
                signed.add((ref.client, ref.partner))
                consents += self.consents(ref, shared[0], words)
        for number, consent in enumerate(consents, 1):
            consent["id"] = f"co_sample{number:04d}"
        return referrals, consents

    def consents(self, ref: Ref, on: date, words: dict[str, str]) -> list[dict[str, Any]]:
        story = CONSENT_STORIES.get((ref.client, ref.partner), {})
        shares, purpose = CONSENT_WORDS.get(PARTNERS[ref.partner].kind, CONSENT_DEFAULT)
        revoked_on, revocation_note = story.get("revoked", (None, ""))
        first = {
            "client_id": client_id(ref.client),
            "partner_id": self.partner_ids[ref.partner],
            "shares": shares.format(**words),
            "purpose": purpose.format(**words),
            "signed_on": on,
            "expires_on": story.get("expires") or on + timedelta(days=365),
            "revoked_on": revoked_on,
            "revocation_note": revocation_note,
        }
        if "renewed" not in story:
            return [first]
        renewed = date.fromisoformat(story["renewed"])
        again = first | {"signed_on": renewed, "expires_on": renewed + timedelta(days=365)}
        return [first, again]

    def strengths(self) -> list[dict[str, Any]]:
        rows = []
        for number, sittings in STRENGTHS.items():
            for on, answers in sittings:
                rows.append(
                    {
                        "id": f"sa_sample{len(rows) + 1:04d}",
                        "client_id": client_id(number),
                        "on": on,
                        **{name: text for (name, _q), text in zip(QUESTIONS, answers, strict=True)},
                    }
                )
        return rows

    def safety_plans(self) -> list[dict[str, Any]]:
        rows = []
        for number, (shape, person, phone, draft) in PLANS.items():
            case = self.cases[number]
            days = sorted(self.meeting_days[case.id])
            reviewed = days[-1] if case.p.status is not A else days[-1 - number % 3]
            fields = PLAN_SHAPES[shape]
            if draft:
                fields = {key: fields[key] for key in ("places", "safe_to_keep")} | DRAFT_PLAN
            words = {"first": case.p.first, "person": person}
            rows.append(
                {
                    "id": f"sp_sample{len(rows) + 1:04d}",
                    "client_id": case.id,
                    **{key: text.format(**words) for key, text in fields.items()},
                    "people": f"{capitalised(person)}, who knows this plan, and my case manager.",
                    "emergency_contacts": f"{capitalised(person)}: {phone}. Agency line: "
                    f"{AGENCY_LINE}. Emergency services if I am in danger.",
                    "reviewed_on": None if draft else reviewed,
                    "developed_with_client": not draft,
                }
            )
        return rows

    def assignments(self) -> list[dict[str, Any]]:
        """Each handoff, made with casework.reassign so it follows the app's own rules."""
        rows = []
        for number, handoffs in HANDOFFS.items():
            client = self.client(number)
            client = dataclasses.replace(client, case_manager_id=staff_id(handoffs[0].before))
            receivers = [h.before for h in handoffs[1:]] + [self.cases[number].p.staff]
            for handoff, to in zip(handoffs, receivers, strict=True):
                on = date.fromisoformat(handoff.on)
                client, record = reassign(client, staff_id(to), on, handoff.note)
                rows.append(record.to_dict() | {"id": f"as_sample{len(rows) + 1:04d}"})
        return rows

    def case_events(self) -> list[dict[str, Any]]:
        """A closing for every closed case, and the closing and reopening of REOPENED ones."""
        rows = []
        needs = [NeedItem.from_dict(n) for n in self.t.needs]
        closings = {
            number: date.fromisoformat(REOPENED[number][0]) if number in REOPENED else case.end
            for number, case in self.cases.items()
            if case.p.status is C or number in REOPENED
        }
        for number, closed_on in closings.items():
            client = dataclasses.replace(self.client(number), status=A)
            mine = [n for n in needs if n.client_id == client.id]
            still_open = any(n.status in OPEN_NEED_STATUSES for n in mine)
            client, event = close_case(
                client,
                on=closed_on,
                reason=ClosureReason.CLIENT_CHOSE if still_open else ClosureReason.NEEDS_MET,
                safety_plan_reviewed=True,
                knows_can_return=True,
                note=CLOSING_NOTES[number],
                needs=mine,
            )
            events = [event]
            if number in REOPENED:
                on = date.fromisoformat(REOPENED[number][1])
                client, event = reopen_case(client, on=on, reason=REOPEN_NOTE)
                events.append(event)
            for event in events:
                rows.append(event.to_dict() | {"id": f"ce_sample{len(rows) + 1:04d}"})
        return rows

    def legal_matters(self) -> list[dict[str, Any]]:
        return [
            {
                "id": f"lm_sample{i:04d}",
                "client_id": client_id(number),
                "kind": kind,
                "status": status,
                "on": on,
                "description": description,
                "note": note,
            }
            for i, (number, kind, status, on, description, note) in enumerate(LEGAL, 1)
        ]

    def planned_meetings(self) -> list[dict[str, Any]]:
        """Meetings dated after as_of: planned, so not contact yet."""
        return [
            {
                "client_id": client_id(number),
                "staff_id": staff_id(staff),
                "on": date.fromisoformat(on),
                "at": PLANNED_AT[(number, on)],
                "duration_minutes": minutes,
                "kind": kind,
                "summary": self.cases[number].say(summary),
                "goals_discussed": [],
                "next_checkin": None,
                "progress_discussed": False,
            }
            for number, staff, on, kind, minutes, summary in PLANNED
        ]

    def funder_records(self) -> dict[str, list[dict[str, Any]]]:
        """The agency's grants, services given on their own, and clients' households."""
        sources = [
            {
                "id": funding_id(i),
                "name": name,
                "program": program,
                "award_number": award,
                "starts_on": starts,
                "ends_on": ends,
                "note": note,
            }
            for i, (name, program, award, starts, ends, note) in enumerate(FUNDING, 1)
        ]
        services = [
            {
                "id": f"sv_sample{i:04d}",
                "client_id": client_id(number),
                "on": on,
                "service": code,
                "times": times,
                "funding_source_ids": [funding_id(n) for n in funding],
                "note": self.cases[number].say(note),
            }
            for i, (number, on, code, times, funding, note) in enumerate(GIVEN_SERVICES, 1)
        ]
        household = [
            {
                "id": f"hh_sample{i:04d}",
                "client_id": client_id(number),
                "relationship": relationship,
                "age_group": age,
                "harmed": harmed,
                "served": served,
                "known_as": known_as,
            }
            for i, (number, relationship, age, harmed, served, known_as) in enumerate(HOUSEHOLD, 1)
        ]
        return {"funding_sources": sources, "services": services, "household": household}

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        referrals, consents = self.referrals()
        return {
            "partners": self.partners(),
            "referrals": referrals,
            "consents": consents,
            "strengths": self.strengths(),
            "safety_plans": self.safety_plans(),
            "assignments": self.assignments(),
            "case_events": self.case_events(),
            "legal_matters": self.legal_matters(),
            **self.funder_records(),
        }


def build(rng: random.Random) -> dict[str, Any]:
    """The whole interchange document, before validation."""
    tables = Tables([], [], [], [])
    cases: dict[int, Case] = {}
    for number, person in enumerate(PEOPLE, 1):
        case = cases[number] = Case(rng, number, person, tables)
        case.needs()
        case.intake_basics()
        case.goals()
        case.meetings()
        case.client()
    for case in cases.values():
        for key, need in case.later_needs:
            case.need_ids[key] = need["id"] = f"nd_sample{len(tables.needs) + 1:04d}"
            tables.needs.append(need)
    work = Casework(cases, tables)
    tables.meetings.extend(work.planned_meetings())
    tables.meetings.sort(key=lambda m: (m["on"], m["client_id"]))
    for number, meeting in enumerate(tables.meetings, 1):
        meeting["id"] = f"mt_sample{number:05d}"
    staff = [
        {"id": f"st_sample{i:02d}", "name": name, "capacity": cap, "admin_hours_target": hours}
        for i, (name, cap, hours) in enumerate(STAFF, 1)
    ]
    blocks = [
        {
            "id": f"ab_sample{i:02d}",
            "staff_id": f"st_sample{s:02d}",
            "kind": kind,
            "on": on,
            "start": start,
            "end": stop,
            "weekly": weekly,
            "until": until,
            "note": note,
        }
        for i, (s, kind, on, start, stop, weekly, until, note) in enumerate(BLOCKS, 1)
    ]
    return {
        "staff": staff,
        **tables._asdict(),
        "admin_blocks": blocks,
        **work.tables(),
        "audit": audit_trail(tables.meetings, staff),
    }


def audit_trail(meetings: list[dict[str, Any]], staff: list[dict[str, Any]]) -> list[Any]:
    """The trail the sample's past meetings would have left: who logged each, and when.

    Like every audit entry it names fields, never their contents.
    """
    names = {s["id"]: s["name"] for s in staff}
    entries = []
    for number, meeting in enumerate((m for m in meetings if m["on"] < AS_OF), 1):
        entries.append(
            {
                "id": f"au_sample{number:05d}",
                "at": f"{meeting['on']}T16:{number % 60:02d}:00Z",
                "who": names[meeting["staff_id"]],
                "action": "created",
                "table": "meetings",
                "record_id": meeting["id"],
                "client_id": meeting["client_id"],
                "fields": sorted(k for k in meeting if k != "id"),
            }
        )
    return entries


def contacts_as_of(tables: dict[str, list[Any]]) -> dict[str, ContactSummary]:
    """Each client's contact summary on AS_OF: planned meetings are not contact yet."""
    by_client: dict[str, list[Any]] = {}
    for m in tables["meetings"]:
        by_client.setdefault(m.client_id, []).append(m)
    return {
        c.id: summarise_contact(meeting_dates(by_client.get(c.id, [])), AS_OF)
        for c in tables["clients"]
    }


def demo_today(tables: dict[str, list[Any]], owner: str = DEMO_OWNER) -> list[TodayItem]:
    """What Today shows the demo user on AS_OF."""
    return today_items(
        AS_OF,
        clients=[c for c in tables["clients"] if c.case_manager_id == owner],
        contacts=contacts_as_of(tables),
        meetings=tables["meetings"],
        referrals=tables["referrals"],
        consents=tables["consents"],
        legal_matters=tables["legal_matters"],
        blocks=[b for b in tables["admin_blocks"] if b.staff_id == owner],
    )


def check_casework(tables: dict[str, list[Any]]) -> list[str]:
    """The promises about partners, referrals, consents and the rest of the casework."""
    found = []
    clients = {c.id: c for c in tables["clients"]}
    active = [c for c in clients.values() if c.status is A]
    mine = {c.id for c in clients.values() if c.case_manager_id == DEMO_OWNER}
    needs = {n.id: n for n in tables["needs"]}
    closings: dict[str, date] = {}
    for e in sorted(tables["case_events"], key=lambda e: e.on):
        if e.kind is CaseEventKind.CLOSED:
            closings[e.client_id] = e.on

    def problem(ok: object, message: str) -> None:
        if not ok:
            found.append(message)

    for table, rows in tables.items():
        problem(rows, f"{table}: no records")
    problem(
        len({p.kind for p in tables["partners"]}) >= len(ServiceKind) - 2,
        "partners: too few kinds of service",
    )
    referrals = tables["referrals"]
    problem(40 <= len(referrals) <= 60, f"{len(referrals)} referrals, not 40-60")
    problem({r.status for r in referrals} == set(ReferralStatus), "a referral status is missing")
    problem(any(r.accompaniment for r in referrals), "no accompanied referral")
    problem(any(r.transport for r in referrals), "no referral with transport")
    problem(any(r.need_id for r in referrals), "no referral linked to a need")
    problem(any(r.goal_id for r in referrals), "no referral linked to a goal")
    for r in referrals:
        client = clients[r.client_id]
        end = closings.get(r.client_id, AS_OF) if client.status is C else AS_OF
        problem(
            client.intake_date <= r.opened_on and r.last_update <= end,
            f"referral {r.id}: history outside the time the case was open",
        )

    consents = tables["consents"]
    by_pair: dict[tuple[str, str], list[Any]] = {}
    for c in consents:
        by_pair.setdefault((c.client_id, c.partner_id), []).append(c)
    problem(
        any((r.client_id, r.partner_id) not in by_pair for r in referrals if r.client_id in mine),
        "every referral of the demo user's clients has a consent",
    )
    states = {consent_state(c, AS_OF) for c in consents if c.client_id in mine}
    problem({"expiring", "expired", "revoked", "valid"} <= states, f"consent states: {states}")
    problem(any(c.revocation_note for c in consents if c.client_id in mine), "no revocation note")
    renewed = [
        pair
        for pair, group in by_pair.items()
        if pair[0] in mine
        and any(consent_state(c, AS_OF) == "expired" for c in group)
        and valid_consent(group, pair[1], AS_OF) is not None
    ]
    problem(renewed, "no expired consent renewed by a later one")

    sittings: dict[str, list[date]] = {}
    for s in tables["strengths"]:
        sittings.setdefault(s.client_id, []).append(s.on)
    assessed = [c for c in active if c.id in sittings]
    problem(len(assessed) * 2 >= len(active) - 2, "strengths for fewer than half the clients")
    again = [d for d in sittings.values() if len(d) > 1 and (max(d) - min(d)).days >= 90]
    problem(len(again) >= 3, "fewer than three reassessments months apart")

    planned = {p.client_id for p in tables["safety_plans"]}
    without = [c for c in active if c.id not in planned]
    problem(0 < len(without) <= len(active) // 5, f"{len(without)} active clients without a plan")

    last: dict[str, Any] = {}
    for a in sorted(tables["assignments"], key=lambda a: a.on):
        before = last.get(a.client_id)
        problem(before is None or before.to_staff_id == a.from_staff_id, f"{a.id}: broken chain")
        last[a.client_id] = a
    for cid, a in last.items():
        problem(a.to_staff_id == clients[cid].case_manager_id, f"{a.id}: not the current manager")
    problem(len(last) >= 4, "fewer than four reassigned clients")

    events: dict[str, list[Any]] = {}
    for e in sorted(tables["case_events"], key=lambda e: e.on):
        events.setdefault(e.client_id, []).append(e.kind)
    for c in clients.values():
        kinds = events.get(c.id, [])
        closed = bool(kinds) and kinds[-1] is CaseEventKind.CLOSED
        problem(closed == (c.status is C), f"{c.id}: case events do not match the status")
    problem(
        any(k[-2:] == [CaseEventKind.CLOSED, CaseEventKind.REOPENED] for k in events.values()),
        "no case closed and reopened",
    )

    for m in tables["legal_matters"]:
        problem(
            clients[m.client_id].legal_engagement in LEGAL_TAB_ENGAGEMENTS,
            f"legal matter {m.id} for a client who chose not to engage",
        )
    problem({m.kind for m in tables["legal_matters"]} == set(LegalKind), "a legal kind is missing")

    for m in tables["meetings"]:
        if m.on > AS_OF:
            problem(
                m.on < AS_OF + timedelta(days=7) and m.next_checkin is None,
                f"planned meeting {m.id} is not in the week ahead",
            )

    today = demo_today(tables)
    shown = Counter(item.section for item in today)
    problem(
        set(shown) == set(Section), f"Today for {DEMO_OWNER} misses {set(Section) - set(shown)}"
    )
    reasons = [item.detail for item in today if item.section is Section.REFERRAL]
    problem(sum(r.startswith("stalled: no update") for r in reasons) >= 2, "too few quiet ones")
    problem(any(r.startswith("follow-up was due") for r in reasons), "no follow-up passed")
    problem("marked stalled" in reasons, "no referral marked stalled")
    court = [i for i in today if i.section is Section.COURT_DATE]
    problem(court, "no court date this week")
    unmet = [
        r
        for r in referrals
        if r.client_id in mine
        and r.status is ReferralStatus.COMPLETED
        and r.need_id
        and needs[r.need_id].status is not NeedStatus.MET
    ]
    problem(unmet, "no completed referral whose need is still open")
    return found


def check(records: RecordSet, text: str) -> list[str]:
    """Everything the sample caseload promises; an empty list when all of it holds."""
    tables: dict[str, list[Any]] = dict(records.tables)
    found = [str(problem) for problem in check_references(tables)]
    found += [f"wording: {match!r}" for match in BANNED.findall(text)]
    contacts = contacts_as_of(tables)
    active = [c for c in tables["clients"] if c.status is A]
    overdue = {c.id for c in active if days_overdue(c, contacts[c.id], AS_OF)}
    expected = {f"cl_sample{i:03d}" for i, p in enumerate(PEOPLE, 1) if p.overdue}
    if overdue != expected or not 5 <= len(overdue) < len(active) // 2:
        found.append(f"overdue clients are {sorted(overdue)}, not {sorted(expected)}")
    days = [m.on for m in tables["meetings"] if m.on <= AS_OF]
    if min(days) > AS_OF - timedelta(days=190) or max(days) < AS_OF - timedelta(days=3):
        found.append(f"meetings run from {min(days)} to {max(days)}")
    for name, table, field, choices in (
        ("meeting kinds", "meetings", "kind", MeetingKind),
        ("horizons", "needs", "horizon", Horizon),
        ("need statuses", "needs", "status", NeedStatus),
        ("goal statuses", "goals", "status", GoalStatus),
        ("client statuses", "clients", "status", ClientStatus),
        ("time blocks", "admin_blocks", "kind", BlockKind),
    ):
        if missing := set(choices) - {getattr(r, field) for r in tables[table]}:
            found.append(f"{name} missing: {sorted(missing)}")
    sheets: dict[str, list[GoalStatus]] = {}
    for g in tables["goals"]:
        sheets.setdefault(g.client_id, []).append(g.status)
    if sum(goal_count_note(s) is not None for s in sheets.values()) < 2:
        found.append("fewer than two clients have more than five active goals")
    if len({c.language for c in tables["clients"]}) < 8 or len(tables["goals"]) < 90:
        found.append("too few languages or goals")
    if not any(n.is_custom for n in tables["needs"]):
        found.append("no custom needs")
    verdicts, failing = readiness_mix(tables)
    if not (
        verdicts[Verdict.PASS] > verdicts[Verdict.ATTENTION] > verdicts[Verdict.FAIL] >= 1
        and {"4", "5", "6"} <= failing
    ):
        found.append(f"accreditation readiness: {dict(verdicts)}, failing rules {failing}")
    return found + check_casework(tables) + check_funder(tables)


def check_funder(tables: dict[str, list[Any]]) -> list[str]:
    """The promises about what funders' reports count: a mix worth teaching."""
    clients = tables["clients"]
    found = []

    def problem(ok: object, message: str) -> None:
        if not ok:
            found.append(message)

    tagged = Counter(s for c in clients for s in c.funding_source_ids)
    problem(
        tagged[funding_id(1)] > len(clients) // 2 > tagged[funding_id(2)] > 0,
        f"funding tags: {dict(tagged)}",
    )
    problem(sum(not c.funding_source_ids for c in clients) >= 3, "too few untagged clients")
    fields = ("victimization_types", "age_group", "gender_identity", "race_ethnicity")
    values = [getattr(c, name) for c in clients for name in fields]
    problem(sum(not v for v in values) >= 6, "too few fields not asked yet")
    for answer in ("not_reported", "declined"):
        problem(
            sum(v == answer or (isinstance(v, tuple) and answer in v) for v in values) >= 2,
            f"too few fields answered {answer!r}",
        )
    problem(sum(len(c.victimization_types) > 1 for c in clients) >= 3, "too few with several")
    problem(sum(len(c.race_ethnicity) > 1 for c in clients) >= 2, "too few multiple races")
    problem(any(c.special_classifications == ("none",) for c in clients), "no 'none'")
    kinds = {(h.harmed, h.served) for h in tables["household"]}
    problem({(True, True), (True, False), (False, False)} <= kinds, "household mix")
    given = tables["services"]
    problem({"A2", "C7", "D1"} <= {s.service for s in given}, "services A2, C7, D1 missing")
    problem(any(s.funding_source_ids for s in given), "no service with a grant of its own")
    problem(
        any(
            m.kind is LegalKind.VICTIM_COMPENSATION
            and m.status not in (LegalStatus.CONSIDERING, LegalStatus.WITHDRAWN)
            for m in tables["legal_matters"]
        ),
        "no compensation application under way",
    )
    return found


def readiness_mix(tables: dict[str, list[Any]]) -> tuple[Counter[Verdict], set[str]]:
    """The readiness verdicts of the clients in the program, and the rules they fail."""
    staff = {s.id: s for s in tables["staff"]}

    def of(table: str, cid: str) -> list[Any]:
        return [r for r in tables[table] if r.client_id == cid]

    verdicts: Counter[Verdict] = Counter()
    failing: set[str] = set()
    for c in in_program(tables["clients"]):
        case = CaseRecords(
            client=c,
            manager=staff.get(c.case_manager_id),
            needs=of("needs", c.id),
            goals=of("goals", c.id),
            meetings=of("meetings", c.id),
            referrals=of("referrals", c.id),
            strengths=of("strengths", c.id),
            blocks=[b for b in tables["admin_blocks"] if b.staff_id == c.case_manager_id],
        )
        result = readiness(case, AS_OF)
        verdicts[result.verdict] += 1
        failing |= {check.rule for check in result.checks if check.verdict is Verdict.FAIL}
    return verdicts, failing


def main() -> None:
    document = {"format": "casetui", "version": FORMAT_VERSION, **build(random.Random(SEED))}
    records, problems = parse_interchange(document)
    document = records.to_interchange(note=NOTE, as_of=AS_OF.isoformat())
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if problems := [str(x) for x in problems] or check(records, text):
        raise SystemExit("The sample caseload is not right:\n" + "\n".join(problems))
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"Wrote {OUT}: {describe_counts(records.counts())}.")
    shown = Counter(item.section for item in demo_today(dict(records.tables)))
    listed = ", ".join(f"{shown[s]} {s.label.lower()}" for s in Section)
    print(f"Today for {DEMO_OWNER} as of {AS_OF}: {listed}.")
    verdicts, _failing = readiness_mix(dict(records.tables))
    mix = ", ".join(f"{verdicts[v]} {v.label}" for v in Verdict)
    print(f"Accreditation readiness as of {AS_OF}, clients in the program: {mix}.")


if __name__ == "__main__":
    main()
