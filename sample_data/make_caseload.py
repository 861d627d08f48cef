"""Make the fictional sample caseload, ``sample_data/caseload.json``.

Every person, place and event in the caseload is invented. Trainers use it to
teach the casetui workflow: a caseload list with some check-ins overdue, goal
sheets in clients' own words, needs at every horizon (including needs a client
declined), six months and more of meeting history, and case managers' own time
blocks (one of them with no self-care block yet, for the supervisor view).

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

import json
import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    ACTIVE_GOAL_STATUSES,
    BlockKind,
    ClientStatus,
    Domain,
    GoalStatus,
    Horizon,
    MeetingKind,
    NeedStatus,
)
from casetui.core.recordset import RecordSet, check_references, parse_interchange
from casetui.core.rules import days_overdue, goal_count_note, meeting_dates, summarise_contact

AS_OF = date(2026, 11, 16)
SEED = 20261116
OUT = Path(__file__).with_name("caseload.json")
NOTE = (
    "Fictional training data, made by sample_data/make_caseload.py. Every person, place "
    "and event in it is invented; any likeness to real people is a coincidence. Dates "
    "are as of the 'as_of' day."
)
# The same pattern as tests/test_sample_data.py: words this caseload never uses.
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

    @property
    def first(self) -> str:
        return self.name.rsplit(" ", 1)[0]


# The data tables below are laid out by hand.
# fmt: off
P = Person
PEOPLE: tuple[Person, ...] = (
    P("Amara Bluefinch", "she/her", 1, "English", "2026-03-10", 14, "considering", "ctv",
      "yard ged job_cna budget", extra=("childcare",),
      safe="Call or text after 17:00; her sister knows about the agency."),
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
      "chef english_work bank", safe="Works nights at a bakery; best reached after 14:00."),
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
      extra=("peer_support",)),
    P("Dalisay Seabright", "she/her", 3, "Tagalog", "2026-04-08", 21, "not_engaged", "ctv",
      "family_call college bank walk",
      culture="Sends money home to her parents each month; plans her budget around that.",
      faith="Catholic; would like to hear about Filipino community Masses nearby."),
    P("Jolene Birchwater", "she/her", 1, "English", "2026-06-02", 14, "considering", "c",
      "divorce own_lease clothes_interview run", overdue=12,
      safe="Call her work number 9:00–17:00 only. No texts: her phone is checked by others."),
    P("Sky Meadowlark", "they/them", 2, "English", "2026-08-04", 14, "considering", "t",
      "phone shelter_to_transitional ged friends", overdue=9,
      safe="Text only; use 'Sky' and no agency name."),
    P("Parisa Juniperhill", "she/her", 1, "Dari", "2026-07-22", 14, "not_engaged", "cv",
      "english_work certificate kids_school calm", interpreter=True,
      culture="Celebrates Nowruz in March; prefers a lighter schedule that week."),
    P("Hodan Reedmoor", "she/her", 3, "Somali", "2026-03-17", 14, "considering", "ct",
      "benefits mosque english yard", interpreter=True,
      faith="Muslim; prefers a woman case manager and a woman interpreter."),
    P("Ana Lucía Foxglove", "she/her", 2, "Spanish", "2026-09-29", 14, "not_engaged", "t",
      "phone counsellor own_room", safe="Texts in Spanish; keep them short, no agency name."),
    P("Maricel Tidewater", "she/her", 1, "Tagalog", "2026-10-06", 7, "considering", "c",
      "ids work_permit family_call calm", interpreter=True,
      safe="Call the shelter front desk and ask for Maricel. No voicemail."),
    P("Esperanza Goldcrest", "she/her", 3, "Spanish", "2026-11-10", 14, "not_engaged", "ct",
      "shelter_to_transitional food clothes_interview",
      safe="Call or text her new number only; the old number is not safe."),
    P("Malik Ironwood", "he/him", 1, "English", "2026-02-17", 21, "engaged", "ctv",
      "custody job_fair_pay own_lease music", overdue=3,
      culture="Coaches his son's Saturday football team; weekday meetings only."),
    P("Bao Riverreed", "he/him", 2, "Vietnamese", "2026-06-24", 21, "not_engaged", "c",
      "work_permit english_work doctor cook", interpreter=True, overdue=20,
      safe="Call in the evening; his housemate answers sometimes and knows about the agency."),
    P("Leilani Palmshade", "she/her", 1, "English", "2026-01-27", 30, "not_engaged", "ctv",
      "college budget garden mentor", overdue=38,
      culture="Native Hawaiian; family gatherings on Sundays come first."),
    P("Yusuf Sandpiper", "he/him", 2, "Arabic", "2026-08-26", 14, "considering", "ct",
      "mosque job_fair_pay english_work own_room", interpreter=True,
      faith="Prefers meetings after Friday prayers."),
    P("Dana Greenholm", "she/they", 2, "English", "2026-04-14", 14, "not_engaged", "t",
      "pet_home credit counsellor computer", safe="Text only; email is not safe."),
    P("Luana Cloudberry", "she/her", 1, "Portuguese", "2026-02-24", 21, "considering", "ctv",
      "kids_school yard english", status=H, end="2026-09-22",
      culture="Spending the autumn with family in Brazil; asked to pause check-ins until "
      "she is back."),
    P("Oksana Birchfall", "she/her", 3, "Ukrainian", "2026-04-28", 21, "engaged", "ct",
      "english_work doctor sleep", status=H, end="2026-10-14", interpreter=True,
      safe="Prefers calls in the morning."),
    P("Kai Wavecrest", "he/they", 2, "English", "2026-05-19", 14, "not_engaged", "t",
      "cdl own_room friends", status=H, end="2026-10-27",
      safe="Text only; Kai will reach out when ready to restart."),
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
    "summary": "{first} asked to pause check-ins for a while. Agreed that {first} will get in "
    "touch when ready; the case stays open.",
    "client_view": "{first} said a break feels right for now, and knows how to reach us.",
    "next_steps": "No check-ins until {first} gets in touch.",
    "next_checkin": None,
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
        self.id = f"cl_sample{number:03d}"
        self.intake = date.fromisoformat(p.intake)
        self.end = date.fromisoformat(p.end) if p.end else AS_OF
        self.tenure = (self.end - self.intake).days
        self.keys = p.goals.split()
        self.statuses = goal_statuses(rng, p, self.tenure)
        self.need_ids: dict[str, str] = {}
        self.need_goal: dict[str, str] = {}  # need key -> the goal that sets its status
        self.goal_ids: list[tuple[str, str]] = []  # (goal id, goal key)

    def say(self, template: str, **more: str) -> str:
        return template.format(first=self.p.first, **more)

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
        cm = p.staff - 1
        via = " by text" if "t" in p.contact else " by phone" if "c" in p.contact else ""
        crisis_after = rng.randrange(len(days)) if rng.random() < 0.3 else -1
        active = [
            goal
            for goal, status in zip(self.goal_ids, self.statuses, strict=True)
            if status in ACTIVE_GOAL_STATUSES
        ]
        for index, on in enumerate(days):
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
                "progress_discussed": kind is MT.SCHEDULED or rng.random() < 0.3,
            }
            if index == 0:
                row |= INTAKE
            elif final:
                row |= PAUSE if p.status is H else CLOSING
            self.add_meeting(row, words)
            gap = (days[index + 1] - on).days if index + 1 < len(days) else 0
            if index == crisis_after and gap > 3:
                crisis_on = on + timedelta(days=rng.randint(1, gap - 1))
                row = CRISIS | {
                    "staff_id": f"st_sample{cm + 1:02d}",
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
            }
        )


class Tables(NamedTuple):
    clients: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    needs: list[dict[str, Any]]
    meetings: list[dict[str, Any]]


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


def build(rng: random.Random) -> dict[str, Any]:
    """The whole interchange document, before validation."""
    tables = Tables([], [], [], [])
    for number, person in enumerate(PEOPLE, 1):
        case = Case(rng, number, person, tables)
        case.needs()
        case.goals()
        case.meetings()
        case.client()
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
    return {"staff": staff, **tables._asdict(), "admin_blocks": blocks}


def check(records: RecordSet, text: str) -> list[str]:
    """Everything the sample caseload promises; an empty list when all of it holds."""
    tables: dict[str, list[Any]] = dict(records.tables)
    found = [str(problem) for problem in check_references(tables)]
    found += [f"wording: {match!r}" for match in BANNED.findall(text)]
    by_client: dict[str, list[Any]] = {}
    for m in tables["meetings"]:
        by_client.setdefault(m.client_id, []).append(m)
    active = [c for c in tables["clients"] if c.status is A]
    overdue = {
        c.id
        for c in active
        if days_overdue(c, summarise_contact(meeting_dates(by_client.get(c.id, []))), AS_OF)
    }
    expected = {f"cl_sample{i:03d}" for i, p in enumerate(PEOPLE, 1) if p.overdue}
    if overdue != expected or not 5 <= len(overdue) < len(active) // 2:
        found.append(f"overdue clients are {sorted(overdue)}, not {sorted(expected)}")
    days = [m.on for m in tables["meetings"]]
    if min(days) > AS_OF - timedelta(days=190) or max(days) > AS_OF:
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
    return found


def main() -> None:
    document = {"format": "casetui", "version": 1, **build(random.Random(SEED))}
    records, problems = parse_interchange(document)
    document = records.to_interchange(note=NOTE, as_of=AS_OF.isoformat())
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if problems := [str(x) for x in problems] or check(records, text):
        raise SystemExit("The sample caseload is not right:\n" + "\n".join(problems))
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"Wrote {OUT}: {records.counts()}")


if __name__ == "__main__":
    main()
