"""The demo's advocacy (issue 12, DESIGN.md §8): the points of attention drawn from the
visit reports, the meetings where they were carried to the authorities, the exchange
meetings with the partners, and the witness pool.

In 2022 and in the current year up to today (the years whose reports the demo holds):

- about 25 points of attention, each gathered from the observations of the demo reports
  flagged "raise with the authorities", of one theme in one centre or a few (medical
  care in Merksplas, isolation cells in Vottem, families at the 127bis family unit,
  access to lawyers, transfers at night…), kept by the coordinator or the lawyer, their
  statuses spread from open to resolved or dropped;
- four quarterly meetings a year with the Immigration Office's detention directorate,
  held with their minutes (what was asked, answered, agreed, by when and by whom), and the
  next one as a draft in the coming weeks whose agenda carries every point still open
  after the previous one (as advocacy.meetings.carry_over builds it), plus a few meetings
  with a centre's management; a couple of individual situations per meeting, by case-file
  code only; follow-ups of the last meeting due this week, not done yet;
- the exchange meetings of the visitors, the advocacy team, Myria and Nansen: ten in 2022
  (none in July and August), at the same rhythm this year up to today;
- about 20 witnesses kept by the witness-pool volunteer: most former detainees, some
  relatives, a lawyer, a former visitor; their consents (most valid, renewed before they
  expired; some expired; one withdrawn, whose uses are to take down; one expiring within
  30 days), their testimonies and the uses of those (the coalition's website, PICUM's
  booklet, the videos, a press article), each recorded through services.record_use on a
  day the consent allowed it.

Everything is drawn with a fixed seed (the live part from the date of seeding) and
written with bulk inserts where there are many rows; each part is skipped when its
records are there, so that a second run creates nothing. The texts are made up and name
nobody: a person held is referred to by the code of their case file, a witness's name and
contact are plainly fictitious ("Témoin démo 07", example.org). The yearly figures (ten
exchange meetings in 2022) come out of the records (`exchange_meetings_in`).
"""

import functools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from auditlog.context import disable_auditlog
from django.db.models import Value
from django.db.models.functions import Greatest
from django.utils import timezone

from advocacy.models import (
    ANONYMITY_ORDER,
    AgendaItem,
    Anonymity,
    AuthorityMeeting,
    Consent,
    ExchangeMeeting,
    PointOfAttention,
    Situation,
    Testimony,
    Use,
    Witness,
)
from detainees.clock import add_months
from move.accounts.models import Organisation, User
from move.centres.models import Centre
from visits.models import Theme

SEED = 12
YEAR = 2022
COORDINATOR = "coordinator@move.test"
LAWYER = "lawyer@move.test"
KEEPER = "witness@move.test"
ADVOCACY = "advocacy@move.test"

Status = PointOfAttention.Status
Authority = AuthorityMeeting.Authority
Relation = Witness.Relation

# --- Points of attention --------------------------------------------------------------------

# What the demo observations speak of, by their text (visits/demo.py PHRASES, in their
# order): the point gathering an observation is of that theme.
TEXT_THEMES = (
    "medical-care",
    "isolation",
    "legal-aid",
    "families-children",
    "use-of-force",
    "outside-contact",
)
# An observation about a family is seen wherever the visitor met it: the point is about
# the family unit.
FAMILY_UNIT = "127bis-familles"
# A point is raised from the observations of the reports written before its first
# meeting, at least this many days before it.
OBSERVED_BEFORE = 5
OBSERVATIONS_AT_FIRST, OBSERVATIONS_LATER = 3, 2


@dataclass(frozen=True)
class PointPlan:
    """A point of attention of the demo: where it comes from, and its course over the
    quarterly meetings. `period` is "2022" or "live" (the current year); `slot` is the
    index of its first quarterly meeting in that period (negative: from the last one held;
    None: raised after the last meeting, on the draft agenda only); `end` the meeting where
    it was resolved or dropped (None: still open); `first` what came of it the first time
    (raised: no answer yet; answered)."""

    theme: str
    centres: tuple[str, ...]
    period: str
    slot: int | None
    end: tuple[str, int] | None
    end_status: str
    first: str
    owner: str
    language: str
    title: str
    description: str


def _plan(theme, centres, course, owner, language, title, text) -> PointPlan:
    """`course`: "2022:1 answered" (first on the agenda of the second quarterly meeting
    of 2022, answered, still open), "2022:3 raised, live:1 resolved" (raised at the
    fourth, resolved at the second of the current year), "live:new" (raised since the
    last meeting)."""
    steps = [step.split() for step in course.split(", ")]
    where, first = (steps[0] + ["answered"])[:2]
    period, slot = where.split(":")
    slot = None if slot == "new" else int(slot)
    end, end_status = None, Status.ANSWERED
    if len(steps) > 1:
        end_period, end_slot = steps[1][0].split(":")
        end, end_status = (end_period, int(end_slot)), steps[1][1]
    return PointPlan(
        theme, tuple(centres.split()), period, slot, end, end_status, first, owner, language,
        title, text,
    )  # fmt: skip


# How the titles and descriptions name a centre ("{centre}"), in French and in Dutch.
CENTRE_IN = {
    "127bis": {"fr": "au 127bis", "nl": "in 127bis"},
    "caricole": {"fr": "au Caricole", "nl": "in Caricole"},
    "bruges": {"fr": "à Bruges", "nl": "in Brugge"},
    "merksplas": {"fr": "à Merksplas", "nl": "in Merksplas"},
    "vottem": {"fr": "à Vottem", "nl": "in Vottem"},
    "holsbeek": {"fr": "à Holsbeek", "nl": "in Holsbeek"},
    FAMILY_UNIT: {"fr": "à l'unité familiale du 127bis", "nl": "in de gezinsunits van 127bis"},
}

C, L = COORDINATOR, LAWYER
# fmt: off
POINTS = [
    # 2022 ---------------------------------------------------------------------------------
    _plan("medical-care", "merksplas", "2022:0 answered, live:0 resolved", C, "nl",
          "Toegang tot de arts {centre}",
          "De bezoekers stellen vast dat aanvragen voor een consultatie bij de arts "
          "{centre} soms dagenlang zonder gevolg blijven. Wij vragen een register van de "
          "aanvragen en een maximale wachttijd, ook tijdens de vakantieperiodes."),
    _plan("isolation", "vottem", "2022:1 answered", C, "fr",
          "Cellules d'isolement {centre}",
          "Les visiteur·euse·s constatent {centre} des placements en cellule d'isolement "
          "prolongés sans décision écrite ni explication donnée à la personne. Nous demandons "
          "une décision motivée, notifiée par écrit et limitée dans le temps, et un registre "
          "des placements consultable."),
    _plan("families-children", FAMILY_UNIT, "2022:0 answered, 2022:3 dropped", L, "fr",
          "Familles avec enfants à l'unité familiale du 127bis",
          "Des familles avec enfants sont à nouveau placées dans les unités familiales du "
          "127bis, à côté des pistes de l'aéroport. La détention d'enfants doit rester une "
          "mesure de dernier ressort : nous demandons la durée des placements, l'accès à "
          "l'école et les alternatives examinées."),
    _plan("legal-aid", "127bis caricole vottem", "2022:1 answered, 2022:3 resolved", L, "fr",
          "Accès aux avocats pro deo dès l'arrivée",
          "Plusieurs personnes n'ont eu aucun contact avec leur avocat pro deo pendant les "
          "premiers jours de leur détention, alors que les délais de recours courent déjà. "
          "Nous demandons que le bureau d'aide juridique soit prévenu dès l'arrivée au "
          "centre."),
    _plan("use-of-force", "127bis caricole", "2022:1 answered, 2022:3 resolved", C, "fr",
          "Transferts de nuit et menottage entre centres",
          "Des personnes disent avoir été réveillées la nuit pour un transfert vers un autre "
          "centre et menottées pendant tout le trajet, sans que leur avocat soit prévenu. "
          "Nous demandons les règles appliquées aux transferts et à la contrainte."),
    _plan("outside-contact", "bruges", "2022:2 resolved, 2022:2 resolved", C, "nl",
          "Telefonisch contact {centre}",
          "{centre} zijn er te weinig telefooncellen en blijven de eigen gsm's ingehouden. "
          "Mensen kunnen hun advocaat en hun familie nauwelijks bereiken. Wij vragen meer "
          "telefooncellen en toegang tot een gsm zonder camera."),
    _plan("medical-care", "holsbeek", "2022:2 answered, 2022:3 resolved", C, "nl",
          "Medische opvolging {centre}",
          "{centre} wachten zieke mensen lang op een medische opvolging, en "
          "behandelingen die voor de aanhouding begonnen, worden onderbroken. Wij vragen dat "
          "de continuïteit van de zorg verzekerd wordt."),
    _plan("isolation", "merksplas", "2022:2 answered, 2022:3 resolved", C, "nl",
          "Isolatieregime {centre}",
          "Het isolatieregime wordt {centre} verlengd zonder schriftelijke uitleg aan de "
          "betrokkene. Wij vragen een gemotiveerde beslissing, beperkt in de tijd, en een "
          "register van de plaatsingen."),
    _plan("legal-aid", "vottem", "2022:3 answered, live:0 resolved", L, "fr",
          "Désignation tardive des avocats {centre}",
          "{centre}, l'avocat pro deo est souvent désigné plusieurs jours après l'arrivée, et "
          "certaines personnes ne savent pas qui il est. Nous demandons que le service social "
          "transmette la demande au bureau d'aide juridique le jour même."),
    _plan("outside-contact", "caricole", "2022:3 raised, live:1 resolved", C, "fr",
          "Accès au téléphone {centre}",
          "{centre}, les personnes n'ont accès au téléphone qu'à "
          "heures fixes et les cartes sont chères. Nous demandons un accès plus large au "
          "téléphone, en particulier pour joindre un avocat."),
    _plan("use-of-force", "bruges", "2022:2 answered, 2022:3 dropped", C, "nl",
          "Geboeid tijdens overbrengingen {centre}",
          "Mensen vertellen dat ze tijdens de hele overbrenging geboeid "
          "bleven, ook zonder enig incident. Wij vragen dat dwang enkel gebruikt wordt "
          "wanneer dat nodig is, en dat elk gebruik ervan geregistreerd wordt."),
    _plan("medical-care", "127bis", "2022:3 resolved, 2022:3 resolved", C, "fr",
          "Continuité des traitements {centre}",
          "{centre}, des traitements commencés avant l'arrestation sont interrompus faute "
          "d'accès au dossier médical. Nous demandons que le service médical contacte le "
          "médecin traitant dès l'arrivée."),
    # The current year ---------------------------------------------------------------------
    _plan("medical-care", "vottem", "live:0 answered", C, "fr",
          "Délais pour voir le médecin {centre}",
          "{centre}, les demandes de consultation médicale restent plusieurs jours sans "
          "suite et les personnes ne savent pas si leur demande a été enregistrée. Nous "
          "demandons un accusé de réception et un délai maximal."),
    _plan("isolation", "bruges", "live:0 answered, live:1 resolved", C, "nl",
          "Isolatieregime {centre} zonder schriftelijke beslissing",
          "{centre} werd het isolatieregime meermaals verlengd zonder schriftelijke "
          "beslissing. Wij vragen dat elke plaatsing gemotiveerd, schriftelijk meegedeeld en "
          "in de tijd beperkt wordt."),
    _plan("legal-aid", "merksplas", "live:0 answered", L, "nl",
          "Weinig contact met de pro-Deoadvocaat {centre}",
          "Pro-Deoadvocaten komen zelden langs en het contact loopt vaak enkel via "
          "de telefoon. Wij vragen een vaste ruimte voor gesprekken met de advocaat en een "
          "lijst van de permanenties van de balies."),
    _plan("families-children", FAMILY_UNIT, "live:-1 raised", L, "fr",
          "Durée de détention des familles en unité familiale",
          "Des familles restent détenues plus de deux semaines dans les unités familiales, "
          "après des prolongations successives. Nous demandons les chiffres par trimestre et "
          "les alternatives proposées avant chaque prolongation."),
    _plan("use-of-force", "127bis", "live:0 answered, live:-1 resolved", C, "fr",
          "Réveils de nuit pour l'aéroport {centre}",
          "Des personnes sont réveillées en pleine nuit pour une tentative d'éloignement, "
          "menottées, sans que leur avocat soit prévenu. Nous demandons que l'avocat soit "
          "informé et que la contrainte soit consignée."),
    _plan("outside-contact", "holsbeek", "live:1 answered, live:-1 dropped", C, "nl",
          "Telefoonkosten {centre}",
          "{centre} zijn de telefoonkaarten duur en kunnen mensen hun familie in het "
          "buitenland nauwelijks bellen. Wij vragen goedkopere kaarten of gratis "
          "videogesprekken."),
    _plan("medical-care", "caricole", "live:-1 raised", C, "fr",
          "Suivi médical et psychologique {centre}",
          "{centre}, des personnes en détresse psychique attendent longtemps un "
          "rendez-vous avec le psychologue ou le médecin. Nous demandons une permanence "
          "psychologique et un suivi après chaque tentative d'éloignement."),
    _plan("isolation", "holsbeek", "live:new", C, "nl",
          "Isolatie {centre}",
          "{centre} werden mensen in een isolatiecel geplaatst zonder dat hun advocaat "
          "of de sociale dienst verwittigd werd. Wij willen dit punt op de volgende "
          "vergadering aankaarten."),
    _plan("outside-contact", "merksplas", "live:new", C, "nl",
          "Contact met de buitenwereld {centre}",
          "{centre} blijft het telefonisch contact met de buitenwereld erg beperkt en "
          "worden bezoeken van familie soms kort op voorhand geannuleerd. Voor te bereiden "
          "voor de volgende vergadering."),
    _plan("use-of-force", "vottem", "live:new", C, "fr",
          "Menottage lors des transferts {centre}",
          "Plusieurs personnes disent avoir été menottées pendant tout un transfert, sans "
          "incident. À porter à la prochaine réunion avec la direction "
          "Détention."),
    _plan("legal-aid", "127bis caricole", "live:1 answered", L, "fr",
          "Information sur les recours dès l'arrivée",
          "Les personnes détenues reçoivent les décisions sans savoir qu'un "
          "recours est possible ni à qui s'adresser. Nous demandons une information écrite "
          "dans une langue comprise et la liste des permanences des barreaux."),
    _plan("medical-care", "bruges", "live:0 answered, live:1 resolved", C, "nl",
          "Medische zorg {centre}",
          "{centre} zien zieke mensen de arts pas na verschillende aanvragen. Wij vragen "
          "een register van de aanvragen en een snellere doorverwijzing naar een "
          "specialist."),
    _plan("families-children", FAMILY_UNIT, "live:0 answered, live:1 resolved", L, "fr",
          "Scolarité des enfants détenus en unité familiale",
          "Les enfants détenus en unité familiale ne vont plus à l'école pendant plusieurs "
          "jours. Nous demandons que la scolarité soit assurée dès le premier jour."),
]
# fmt: on
del C, L

# What was asked, answered and agreed, per theme, in the minutes of the meetings with the
# Immigration Office (in French, the language of those meetings).
MINUTES = {
    "medical-care": {
        "asked": "Nous avons relevé lors des visites des demandes de consultation médicale "
        "restées sans suite pendant plusieurs jours. Quel est le délai prévu pour voir le "
        "médecin du centre, et comment les demandes sont-elles enregistrées ?",
        "answered": [
            "L'Office indique que chaque demande est enregistrée par le service médical et "
            "qu'un médecin est présent chaque jour ouvrable ; il reconnaît des retards "
            "pendant les congés du personnel.",
            "L'Office répond qu'un renfort infirmier est prévu et qu'un registre des "
            "demandes sera tenu au service médical.",
        ],
        "follow_up": "Transmettre à l'Office les demandes restées sans réponse relevées "
        "lors des visites du trimestre (dates et centre, sans nom).",
        "resolved": "Le service médical tient désormais un registre des demandes ; les "
        "visiteur·euse·s confirment que les délais ont nettement diminué.",
        "dropped": "Le point est repris dans la concertation avec Medimmigrant et n'est "
        "plus porté à l'ordre du jour.",
    },
    "isolation": {
        "asked": "Des placements en isolement sont prolongés sans décision écrite remise à "
        "la personne. Nous demandons que chaque décision soit motivée, notifiée par écrit "
        "et limitée dans le temps.",
        "answered": [
            "L'Office confirme que le placement doit faire l'objet d'une décision écrite et "
            "rappellera la règle aux directions des centres.",
            "L'Office indique qu'un nouveau formulaire de décision est en préparation et "
            "qu'un registre des placements sera tenu dans chaque centre.",
        ],
        "follow_up": "Demander à l'Office le nombre de placements en isolement par centre "
        "pour le dernier trimestre.",
        "resolved": "Les décisions écrites sont désormais remises et le registre des "
        "placements est tenu ; les visiteur·euse·s le confirment.",
        "dropped": "Le point est intégré au rapport sur l'isolement et suivi par ce biais.",
    },
    "legal-aid": {
        "asked": "Plusieurs personnes n'avaient pas encore eu de contact avec leur avocat pro "
        "deo plusieurs jours après leur arrivée. Comment le centre prévient-il le bureau "
        "d'aide juridique ?",
        "answered": [
            "L'Office répond que le service social prévient le bureau d'aide juridique dès "
            "l'arrivée et qu'il vérifiera les délais avec les bureaux concernés.",
            "L'Office accepte de diffuser dans les centres la liste des permanences des barreaux.",
        ],
        "follow_up": "Envoyer à l'Office la liste des avocats qui pratiquent le droit de la "
        "détention, par barreau.",
        "resolved": "Une procédure commune avec les bureaux d'aide juridique est en place ; "
        "les visiteur·euse·s ne relèvent plus de retards importants.",
        "dropped": "Le point est repris dans le dialogue avec les barreaux, hors de cette réunion.",
    },
    "families-children": {
        "asked": "Des familles avec enfants sont placées en unité familiale. Nous rappelons "
        "que la détention d'enfants doit rester exceptionnelle et demandons la durée des "
        "placements et l'accès à l'école.",
        "answered": [
            "L'Office indique que la durée moyenne reste inférieure à deux semaines et que la "
            "scolarité est assurée par des enseignant·e·s qui se rendent sur place.",
            "L'Office transmettra les chiffres des familles placées par trimestre.",
        ],
        "follow_up": "Comparer les chiffres transmis par l'Office avec les observations des "
        "visites dans les unités familiales.",
        "resolved": "La scolarité est assurée dès le premier jour ; les visiteur·euse·s le "
        "confirment lors des visites suivantes.",
        "dropped": "La question est portée devant la Cour européenne des droits de l'homme ; "
        "le point est suivi dans le cadre du contentieux stratégique.",
    },
    "use-of-force": {
        "asked": "Des personnes disent avoir été menottées pendant tout un transfert, parfois "
        "organisé la nuit sans prévenir l'avocat. Nous demandons les règles appliquées aux "
        "transferts et à la contrainte.",
        "answered": [
            "L'Office répond que la contrainte n'est utilisée qu'en cas de risque et que les "
            "transferts de nuit restent l'exception ; il vérifiera les cas signalés.",
            "L'Office précise que l'avocat doit être informé de tout transfert et rappellera "
            "la consigne aux centres.",
        ],
        "follow_up": "Documenter les transferts de nuit signalés lors des visites du "
        "trimestre (centre, heure, contrainte utilisée).",
        "resolved": "L'Office a adapté la consigne : l'avocat est prévenu avant chaque "
        "transfert et la contrainte est consignée dans un registre.",
        "dropped": "Aucun nouveau cas signalé depuis deux trimestres ; le point est retiré "
        "de l'ordre du jour.",
    },
    "outside-contact": {
        "asked": "Les contacts téléphoniques avec l'extérieur restent très limités : peu de "
        "cabines, cartes chères, téléphones personnels retenus. Nous demandons un accès plus "
        "large au téléphone et à internet.",
        "answered": [
            "L'Office indique que des cabines supplémentaires sont prévues et que l'usage "
            "d'un téléphone sans caméra est à l'étude.",
            "L'Office répond que le prix des cartes relève du prestataire et qu'il "
            "interrogera celui-ci.",
        ],
        "follow_up": "Relever lors des visites le nombre de cabines en service et leurs "
        "heures d'accès.",
        "resolved": "De nouvelles cabines sont installées et les téléphones sans caméra sont "
        "autorisés ; les visiteur·euse·s le confirment.",
        "dropped": "Le prestataire a revu ses tarifs ; faute de nouvelle observation, le "
        "point est abandonné.",
    },
}
ASKED_AGAIN = (
    "Suivi de la réunion précédente : où en est-on ? Les visites du trimestre montrent que "
    "la situation persiste."
)
NOT_ANSWERED_YET = (
    "L'Office vérifie les situations signalées et répondra par écrit avant la prochaine réunion."
)
CHECKED_ON_VISITS = "Vérifier lors des prochaines visites que la mesure est appliquée."
PREPARED = "À présenter : ce que les visites des dernières semaines ont montré."

# The meetings with a centre's management: in the centre's language.
CENTRE_MEETINGS = {
    "2022": (("vottem", date(2022, 7, 5)), ("merksplas", date(2022, 10, 18))),
    # In the current year, some weeks after the first and the second quarterly meeting.
    "live": (("bruges", 0), ("vottem", 1)),
}
CENTRE_MEETING_WEEKS_AFTER = 6
CENTRE_LANGUAGE = {"merksplas": "nl", "bruges": "nl", "holsbeek": "nl"}
CENTRE_MINUTES = {
    "fr": {
        "asked": "Nous avons présenté ce que les visiteur·euse·s ont observé dans le centre "
        "depuis la réunion avec l'Office des étrangers.",
        "answer": {
            "medical-care": "La direction explique que le médecin consulte deux demi-journées "
            "par semaine et qu'un infirmier trie les demandes chaque matin.",
            "isolation": "La direction reconnaît que des décisions n'ont pas été remises par "
            "écrit et s'engage à remettre une copie à la personne.",
            "legal-aid": "La direction indique que le service social prévient désormais le "
            "bureau d'aide juridique le jour de l'arrivée.",
            "families-children": "La direction précise que les enfants sont scolarisés par "
            "une enseignante qui vient sur place chaque jour.",
            "use-of-force": "La direction répond que les transferts sont organisés par la "
            "police et qu'elle fera remonter les cas signalés.",
            "outside-contact": "La direction annonce une cabine supplémentaire dans chaque "
            "aile du centre.",
        },
        "follow_up": "Revoir la situation avec la direction lors d'une prochaine visite.",
    },
    "nl": {
        "asked": "Wij hebben toegelicht wat de bezoekers in het centrum vastgesteld hebben "
        "sinds de vergadering met de Dienst Vreemdelingenzaken.",
        "answer": {
            "medical-care": "De directie legt uit dat de arts twee halve dagen per week "
            "consulteert en dat een verpleegkundige de aanvragen elke ochtend bekijkt.",
            "isolation": "De directie erkent dat beslissingen niet schriftelijk overhandigd "
            "werden en zal voortaan een kopie aan de betrokkene geven.",
            "legal-aid": "De directie zegt dat de sociale dienst het bureau voor juridische "
            "bijstand voortaan op de dag van aankomst verwittigt.",
            "families-children": "De directie verduidelijkt dat de kinderen les krijgen van "
            "een leerkracht die elke dag langskomt.",
            "use-of-force": "De directie antwoordt dat de politie de overbrengingen regelt en "
            "dat zij de gemelde gevallen zal doorgeven.",
            "outside-contact": "De directie kondigt een extra telefooncel in elke vleugel aan.",
        },
        "follow_up": "De situatie bij een volgend bezoek opnieuw met de directie bekijken.",
    },
}
THEIR_ATTENDEES = {
    Authority.IMMIGRATION_OFFICE: "Directeur de la direction Détention\n"
    "Juriste de la direction Détention\nAttaché·e chargé·e des centres fermés",
    "fr": "Directeur du centre\nResponsable du service social\nMédecin du centre",
    "nl": "Directeur van het centrum\nVerantwoordelijke van de sociale dienst\n"
    "Arts van het centrum",
}
AUTHORITY_DETAIL = "Office des étrangers — direction Détention"
MEETING_NOTES = {
    Authority.IMMIGRATION_OFFICE: "Réunion trimestrielle avec la direction Détention de "
    "l'Office des étrangers. Procès-verbal rédigé par la coordinatrice, relu par la juriste.",
    "fr": "Rencontre avec la direction du centre, à la suite des visites du trimestre.",
    "nl": "Ontmoeting met de directie van het centrum, naar aanleiding van de bezoeken van "
    "het kwartaal.",
}
# Individual situations: what was asked and answered, by case-file code only.
SITUATIONS = {
    "fr": [
        "Détention prolongée au-delà de quatre mois sans perspective d'éloignement : l'Office "
        "réexamine le dossier.",
        "Traitement médical interrompu depuis l'arrestation : l'Office demande un avis au "
        "service médical du centre.",
        "Demande d'asile introduite depuis le centre : l'Office confirme qu'aucun éloignement "
        "n'aura lieu avant la décision.",
        "Tentative d'éloignement annulée : l'Office confirme qu'aucun vol n'est prévu pour "
        "l'instant.",
        "Personne reconnue vulnérable par le psychologue du centre : l'Office examine une "
        "libération avec un suivi.",
        "Famille séparée par la détention : l'Office examine la demande de libération.",
    ],
    "nl": [
        "Detentie langer dan vier maanden zonder vooruitzicht op verwijdering: de Dienst "
        "Vreemdelingenzaken herbekijkt het dossier.",
        "Medische behandeling onderbroken sinds de aanhouding: de medische dienst geeft een "
        "advies.",
    ],
}
SITUATIONS_TO_RAISE = "À aborder : situation signalée par les visiteur·euse·s cette semaine."
SITUATIONS_PER_MEETING = 2


def quarterly_dates(today: date) -> tuple[list[date], list[date], date]:
    """The quarterly meetings with the Immigration Office: those of 2022, those held in
    the current year (every 13 weeks before the next one, at least a few weeks into the
    live demo so that reports came before; early in the year, the last one of the year
    before), and the next one, a Tuesday two to three weeks ahead, whose agenda is in
    preparation."""
    from visits.demo import live_window

    of_2022 = [date(YEAR, 3, 15), date(YEAR, 6, 14), date(YEAR, 9, 13), date(YEAR, 12, 13)]
    draft = today + timedelta(days=14)
    draft += timedelta(days=(1 - draft.weekday()) % 7)
    start, _end = live_window(today)
    held, day = [], draft - timedelta(weeks=13)
    while day >= start + timedelta(weeks=3):
        held.append(day)
        day -= timedelta(weeks=13)
    return of_2022, sorted(held) or [draft - timedelta(weeks=13)], draft


@dataclass
class _Point:
    plan: PointPlan
    point: PointOfAttention
    centres: list[str]
    appearances: dict[int, str] = field(default_factory=dict)  # quarterly index → outcome
    closed_on: date | None = None
    on_draft: bool = False
    observations: list[int] = field(default_factory=list)


@dataclass
class _Observation:
    pk: int
    theme: str
    centre: str
    day: date
    submitted_at: datetime | None
    author: int | None


class _Register:
    """The points, the meetings and their agendas, drawn then written."""

    def __init__(self, chance, today: date, users: dict[str, User]):
        from visits.demo import live_window

        self.chance, self.today, self.users = chance, today, users
        self.now = timezone.now()
        of_2022, live, self.draft_date = quarterly_dates(today)
        self.dates = of_2022 + live
        self.first_live = len(of_2022)
        # The first meeting held after the live demo's first reports: the points of the
        # current year are raised there or later.
        start = live_window(today)[0] + timedelta(weeks=3)
        self.first_slot = next(
            (i for i, day in enumerate(self.dates) if i >= self.first_live and day >= start),
            len(self.dates),
        )
        self.themes = {theme.code: theme for theme in Theme.objects.all()}
        self.centres = {centre.code: centre for centre in Centre.objects.all()}
        self.observations = _flagged_observations(today)
        self.used: set[int] = set()
        self.points: list[_Point] = []

    # Drawing ----------------------------------------------------------------------------

    def index(self, period: str, slot: int | None) -> int | None:
        """The quarterly meeting of `slot` in `period`, within those held (None: none)."""
        if slot is None:
            return None
        if period == "2022":
            return max(0, min(slot, self.first_live - 1))
        held = len(self.dates) - self.first_slot
        if held == 0:
            return None
        slot = held + slot if slot < 0 else slot
        return self.first_slot + max(0, min(slot, held - 1))

    def plan_points(self) -> None:
        last = len(self.dates) - 1
        for plan in POINTS:
            first = self.index(plan.period, plan.slot)
            end = self.index(*plan.end) if plan.end and first is not None else None
            point = PointOfAttention(
                title=plan.title,
                description=plan.description,
                theme=self.themes[plan.theme],
                owner=self.users[plan.owner],
            )
            planned = _Point(plan, point, list(plan.centres))
            if first is None:
                planned.on_draft = True
            else:
                end = max(end, first) if end is not None else None
                for index in range(first, (end if end is not None else last) + 1):
                    planned.appearances[index] = Status.ANSWERED
                if plan.first == Status.RAISED:
                    planned.appearances[first] = Status.RAISED
                if end is not None:
                    planned.appearances[end] = plan.end_status
                    planned.closed_on = self.dates[end]
                else:
                    planned.on_draft = True
            self._gather(planned, first, end)
            if not planned.observations:
                continue  # nothing of its kind was seen: no point to raise
            self._set_status(planned)
            self.points.append(planned)

    def _set_status(self, planned: _Point) -> None:
        point = planned.point
        if not planned.appearances:
            point.status = Status.OPEN
            return
        point.status = planned.appearances[max(planned.appearances)]
        point.first_raised_on = self.dates[min(planned.appearances)]

    def _gather(self, planned: _Point, first: int | None, end: int | None) -> None:
        """The flagged observations the point was raised from (of its theme, in its
        centre, from the reports before its first meeting) and some gathered later. A
        point about one centre where nothing of its theme was flagged in time is about the
        centre where most was (its title names that one)."""
        from visits.demo import live_window

        plan = planned.plan
        start = date(YEAR, 1, 1) if plan.period == "2022" else live_window(self.today)[0]
        if first is None:
            # Raised after the last meeting held: from the reports since.
            held = self.dates[self.first_live :]
            start = max(start, held[-1] + timedelta(days=1)) if held else start
            until = self.today
        else:
            until = self.dates[first] - timedelta(days=OBSERVED_BEFORE)
        found = self._pick(plan, planned.centres, start, until, OBSERVATIONS_AT_FIRST)
        if not found:
            found = self._elsewhere(planned, start, until)
        if not found and first is None:
            # Nothing of its theme since the last meeting: seen earlier this year.
            start = live_window(self.today)[0]
            found = self._pick(plan, planned.centres, start, until, OBSERVATIONS_AT_FIRST)
            found = found or self._elsewhere(planned, start, until)
        if not found:
            found = self._elsewhere(planned, start, until, last_resort=True)
        self._words(planned)
        if not found:
            return
        first_seen = min(found, key=lambda observation: (observation.day, observation.pk))
        if first is not None:
            found += self._pick(
                plan,
                planned.centres,
                self.dates[first] + timedelta(days=1),
                planned.closed_on or self.today,
                self.chance.randint(0, OBSERVATIONS_LATER),
            )
        planned.observations = [observation.pk for observation in found]
        point = planned.point
        point.created_by_id = first_seen.author
        written = first_seen.submitted_at or _at(first_seen.day, 18)
        created = written + timedelta(
            days=self.chance.randint(1, 3), hours=self.chance.randint(0, 3)
        )
        latest = _at(until, 17) if first is not None else self.now - timedelta(hours=2)
        point.created_at = max(min(created, latest), written)
        held = self.dates[self.first_live :]
        if first is None and held:
            # Raised since the last meeting (from what was seen then or before).
            since = _at(held[-1] + timedelta(days=self.chance.randint(2, 20)), 10)
            point.created_at = min(max(point.created_at, since), latest)

    def _elsewhere(
        self, planned: _Point, start: date, until: date, last_resort=False
    ) -> list[_Observation]:
        """The observations of the plan's theme in the centre where most were flagged
        in the period (not one that another point of the theme is about already, unless
        there is no other: `last_resort`)."""
        plan = planned.plan
        candidates = self._candidates(plan, None, start, until)
        # Centres that another point of the theme is about, in the period or still open.
        taken = {
            centre
            for other, centres in [(p.plan, p.centres) for p in self.points]
            + [(other, other.centres) for other in POINTS]
            if other.theme == plan.theme
            and len(centres) == 1
            and (other.period == plan.period or other.end is None)
            for centre in centres
        }
        counts: dict[str, int] = {}
        for observation in candidates:
            counts[observation.centre] = counts.get(observation.centre, 0) + 1
        free = sorted(
            (centre for centre in counts if centre not in taken),
            key=lambda centre: (-counts[centre], centre),
        )
        if last_resort:
            free = free or sorted(counts, key=lambda centre: (-counts[centre], centre))
        chosen = free
        if not chosen:
            return []
        if plan.theme != "families-children":
            if len(planned.centres) == 1:
                planned.centres = [chosen[0]]
            else:
                planned.centres.append(chosen[0])
        return self._pick(plan, [chosen[0]], start, until, OBSERVATIONS_AT_FIRST)

    def _words(self, planned: _Point) -> None:
        """The title and the description, naming the point's centre."""
        plan, point = planned.plan, planned.point
        where = CENTRE_IN[planned.centres[0]][plan.language]
        point.title = plan.title.format(centre=where)
        point.description = plan.description.format(centre=where)

    def _candidates(self, plan, centres, start: date, until: date) -> list[_Observation]:
        anywhere = centres is None or plan.theme == "families-children"
        return [
            observation
            for observation in self.observations.get(plan.theme, [])
            if start <= observation.day <= until
            and observation.pk not in self.used
            and (anywhere or observation.centre in centres)
        ]

    def _pick(self, plan, centres, start: date, until: date, count: int) -> list[_Observation]:
        """Up to `count` unused flagged observations of the plan's theme between the two
        days, in `centres` (any centre for a family unit), oldest first."""
        if count <= 0 or until < start:
            return []
        candidates = self._candidates(plan, centres, start, until)
        chosen = sorted(
            self.chance.sample(candidates, k=min(count, len(candidates))),
            key=lambda observation: (observation.day, observation.pk),
        )
        self.used.update(observation.pk for observation in chosen)
        return chosen

    # The meetings -----------------------------------------------------------------------

    def plan_meetings(self) -> list[tuple[AuthorityMeeting, list[AgendaItem], list[Situation]]]:
        meetings = []
        self.agendas: dict[int, list[_Point]] = {}
        for index, day in enumerate(self.dates):
            meetings.append(self._quarterly(index, day))
        meetings += self._centre_meetings()
        meetings.append(self._draft())
        return meetings

    def _quarterly(self, index: int, day: date):
        meeting = self._meeting(day, Authority.IMMIGRATION_OFFICE)
        previous = [p for p in self.points if index - 1 in p.appearances]
        carried = [p for p in previous if index in p.appearances]
        new = [p for p in self.points if min(p.appearances, default=None) == index]
        new.sort(key=lambda p: (p.point.created_at, p.plan.title))
        # Carried over in their order on the previous agenda, then the new ones.
        carried = [p for p in self.agendas.get(index - 1, []) if p in carried]
        self.agendas[index] = carried + new
        items = []
        for position, planned in enumerate(carried + new):
            outcome = planned.appearances[index]
            items.append(self._item(meeting, planned, position, outcome, again=planned in carried))
        return meeting, items, self._situations(meeting, day)

    def _item(self, meeting, planned: _Point, position: int, outcome: str, *, again: bool):
        words = MINUTES[planned.plan.theme]
        item = AgendaItem(
            meeting=meeting,
            point=planned.point,
            position=position,
            asked=ASKED_AGAIN if again else words["asked"],
            follow_up_owner=planned.point.owner,
        )
        if outcome == Status.RAISED:
            item.follow_up = NOT_ANSWERED_YET
        elif outcome == Status.ANSWERED:
            item.answer = self.chance.choice(words["answered"])
            item.follow_up = words["follow_up"]
        else:
            item.answer = words[outcome]
            if outcome == Status.RESOLVED:
                item.follow_up = CHECKED_ON_VISITS
        if item.follow_up:
            item.follow_up_due = meeting.date + timedelta(weeks=self.chance.randint(3, 7))
            item.follow_up_done = item.follow_up_due < self.today
        return item

    def _centre_meetings(self):
        from visits.demo import live_window

        held = self.dates[self.first_slot :]
        planned = list(CENTRE_MEETINGS["2022"])
        for code, after in CENTRE_MEETINGS["live"]:
            if after + 1 < len(held):
                planned.append((code, held[after] + timedelta(weeks=CENTRE_MEETING_WEEKS_AFTER)))
        start = live_window(self.today)[0]
        meetings = []
        for code, day in planned:
            if day >= self.today or (day.year != YEAR and day < start):
                continue
            language = CENTRE_LANGUAGE.get(code, "fr")
            words = CENTRE_MINUTES[language]
            meeting = self._meeting(day, Authority.CENTRE, centre=code, language=language)
            raised = [
                p
                for p in self.points
                if code in p.centres
                and p.appearances
                and self.dates[min(p.appearances)] < day
                and (p.closed_on is None or p.closed_on > day)
            ]
            if not raised:
                continue
            items = []
            for position, p in enumerate(raised):
                due = day + timedelta(weeks=self.chance.randint(4, 8))
                items.append(
                    AgendaItem(
                        meeting=meeting,
                        point=p.point,
                        position=position,
                        asked=words["asked"],
                        answer=words["answer"][p.plan.theme],
                        follow_up=words["follow_up"],
                        follow_up_due=due,
                        follow_up_owner=p.point.owner,
                        follow_up_done=due < self.today,
                    )
                )
            meetings.append((meeting, items, self._situations(meeting, day, count=1)))
        return meetings

    def _draft(self):
        """The next quarterly meeting: its agenda carries, in their order, the points
        still open on the previous one's, then the points raised since."""
        meeting = self._meeting(self.draft_date, Authority.IMMIGRATION_OFFICE, draft=True)
        previous = [p for p in self.agendas[len(self.dates) - 1] if p.on_draft]
        new = [p for p in self.points if p.on_draft and p not in previous]
        new.sort(key=lambda p: (p.point.created_at, p.plan.title))
        items = [
            AgendaItem(meeting=meeting, point=p.point, position=position)
            for position, p in enumerate(previous)
        ]
        for position, p in enumerate(new, start=len(items)):
            items.append(AgendaItem(meeting=meeting, point=p.point, position=position))
            if not p.appearances:
                items[-1].asked = PREPARED
        situations = self._situations(meeting, self.today, count=1, note=SITUATIONS_TO_RAISE)
        return meeting, items, situations

    def _meeting(self, day: date, authority, *, centre=None, language="fr", draft=False):
        coordinator = self.users[COORDINATOR]
        meeting = AuthorityMeeting(
            date=day,
            authority=authority,
            centre=self.centres.get(centre) if centre else None,
            status=AuthorityMeeting.Status.DRAFT if draft else AuthorityMeeting.Status.HELD,
            created_by=coordinator,
        )
        if authority == Authority.IMMIGRATION_OFFICE:
            meeting.authority_detail = AUTHORITY_DETAIL
            meeting.their_attendees = THEIR_ATTENDEES[authority]
            meeting.notes = "" if draft else MEETING_NOTES[authority]
        else:
            meeting.their_attendees = THEIR_ATTENDEES[language]
            meeting.notes = MEETING_NOTES[language]
        if draft:
            meeting.created_at = self.now - timedelta(days=self.chance.randint(2, 6))
            meeting.updated_at = meeting.created_at
        else:
            meeting.created_at = _at(day - timedelta(weeks=3), 10)
            meeting.updated_at = min(_at(day + timedelta(days=3), 16), self.now)
        return meeting

    def _situations(self, meeting, day: date, *, count=SITUATIONS_PER_MEETING, note=None):
        held = [person for person, begin, end in self.held if begin < day and (end or day) >= day]
        chosen = self.chance.sample(held, k=min(count, len(held)))
        language = CENTRE_LANGUAGE.get(meeting.centre.code, "fr") if meeting.centre else "fr"
        notes = SITUATIONS[language]
        return [
            Situation(meeting=meeting, person_id=person, note=note or self.chance.choice(notes))
            for person in sorted(chosen)
        ]

    @functools.cached_property
    def held(self) -> list[tuple[int, date, date | None]]:
        """(person, from, until) of the spells in an adult centre, for the situations."""
        from detainees.models import DetentionSpell

        return list(
            DetentionSpell.objects.filter(centre__kind=Centre.Kind.ADULT_CENTRE)
            .order_by("person_id", "start", "pk")
            .values_list("person_id", "start", "end")
        )

    # The follow-ups of the last meeting --------------------------------------------------

    def due_this_week(self, meetings) -> None:
        """Some follow-ups of the last quarterly meeting are due this week and not done
        (the owners' reminder has something to say); one is a few days overdue."""
        held = self.dates[self.first_live :]
        if not held:
            return
        last = next(m for m in meetings if m[0].date == held[-1] and not m[0].centre_id)
        open_items = [
            item
            for item in last[1]
            if item.follow_up and item.point.status not in PointOfAttention.CLOSED
        ]
        dues = [self.today, self.today + timedelta(days=2), self.today - timedelta(days=3)]
        for item, due in zip(open_items, dues, strict=False):
            item.follow_up_due, item.follow_up_done = due, False

    # Writing ----------------------------------------------------------------------------

    def save(self, meetings) -> None:
        points = sorted(self.points, key=lambda p: (p.point.created_at, p.plan.title))
        _code(
            [p.point for p in points], "PA", lambda point: timezone.localtime(point.created_at).year
        )
        for planned in points:
            last = max(
                [self.dates[i] for i in planned.appearances] or [planned.point.created_at.date()]
            )
            planned.point.updated_at = max(min(_at(last, 17), self.now), planned.point.created_at)
        _create(PointOfAttention, [p.point for p in points])
        Observations = PointOfAttention.observations.through
        Observations.objects.bulk_create(
            Observations(pointofattention_id=p.point.pk, observation_id=observation)
            for p in points
            for observation in p.observations
        )
        Centres = PointOfAttention.centres.through
        Centres.objects.bulk_create(
            Centres(pointofattention_id=p.point.pk, centre_id=self.centres[code].pk)
            for p in points
            for code in p.centres
        )
        rows = [meeting for meeting, _items, _situations in meetings]
        _create(AuthorityMeeting, rows)
        Attendees = AuthorityMeeting.our_attendees.through
        Attendees.objects.bulk_create(
            Attendees(authoritymeeting_id=meeting.pk, user_id=self.users[email].pk)
            for meeting in rows
            for email in (COORDINATOR, LAWYER)
        )
        items, situations = [], []
        for meeting, agenda, people in meetings:
            for item in agenda:
                item.meeting = meeting
                items.append(item)
            for situation in people:
                situation.meeting = meeting
                situations.append(situation)
        AgendaItem.objects.bulk_create(items)
        Situation.objects.bulk_create(situations)


def _flagged_observations(today: date) -> dict[str, list[_Observation]]:
    """The observations flagged "raise with the authorities" in the submitted demo
    reports, by the theme their text speaks of."""
    from visits.demo import PHRASES
    from visits.models import Observation, VisitReport

    themes = {}
    for words in PHRASES.values():
        for text, theme in zip(words["observations"], TEXT_THEMES, strict=False):
            themes[text] = theme
    authors = {}
    for report, user in VisitReport.authors.through.objects.order_by("-pk").values_list(
        "visitreport_id", "user_id"
    ):
        authors[report] = user
    found: dict[str, list[_Observation]] = {}
    rows = (
        Observation.objects.filter(raise_with_authorities=True, report__visit_date__lte=today)
        .exclude(report__status=VisitReport.Status.DRAFT)
        .order_by("report__visit_date", "pk")
        .values_list(
            "pk",
            "text",
            "theme__code",
            "centre__code",
            "report__visit_date",
            "report__submitted_at",
            "report_id",
        )
    )
    for pk, text, theme, centre, day, submitted, report in rows:
        theme = themes.get(text, theme)
        found.setdefault(theme, []).append(
            _Observation(pk, theme, centre, day, submitted, authors.get(report))
        )
    return found


def seed_points_and_meetings(today: date) -> None:
    if PointOfAttention.objects.exists() or AuthorityMeeting.objects.exists():
        return  # already seeded: the demo stays as it is
    users = {user.email: user for user in User.objects.filter(email__in=[COORDINATOR, LAWYER])}
    if len(users) < 2 or not Theme.objects.exists():
        return
    register = _Register(random.Random(f"{SEED}-points-{today.isoformat()}"), today, users)
    register.plan_points()
    meetings = register.plan_meetings()
    register.due_this_week(meetings)
    register.save(meetings)


# --- Exchange meetings ----------------------------------------------------------------------

# Ten a year (none in July and August), on the second Thursday of the month.
EXCHANGE_MONTHS = (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)
# The focus themes of 2022: medical care and isolation were the year's two new themes.
FOCUS_2022 = (
    ("medical-care",),
    ("isolation",),
    ("legal-aid", "outside-contact"),
    ("medical-care", "mental-health"),
    ("families-children",),
    ("isolation", "use-of-force"),
    ("medical-care",),
    ("removal-attempts", "use-of-force"),
    ("isolation", "living-conditions"),
    ("legal-aid", "families-children"),
)
FOCUS_LIVE = (
    ("medical-care", "mental-health"),
    ("legal-aid",),
    ("isolation",),
    ("families-children", "outside-contact"),
    ("use-of-force", "removal-attempts"),
    ("medical-care",),
    ("living-conditions", "isolation"),
    ("legal-aid", "outside-contact"),
    ("families-children",),
    ("medical-care", "isolation"),
)
# The coalition's organisations attend every meeting; Myria and Nansen most of them
# (one is missing every fifth meeting, the other every fourth).
MEMBERS = ("Move", "JRS", "Caritas", "VWV", "CIRÉ", "Point d'Appui")
PARTNER_ABSENT = {"Myria": (5, 4), "Nansen": (4, 2)}
EXCHANGE_NOTES = {
    "fr": {
        "opening": "Tour de table des visites du mois dans les six centres.",
        "closing": "Prochaine réunion le mois prochain ; les observations seront reprises "
        "pour la réunion avec l'Office des étrangers.",
        "theme": {
            "medical-care": "Soins médicaux : les visiteur·euse·s signalent des demandes de "
            "consultation restées sans réponse ; Myria propose de croiser ces observations "
            "avec les plaintes reçues.",
            "mental-health": "Santé mentale : plusieurs personnes en détresse après une "
            "tentative d'éloignement ; peu de suivi psychologique dans les centres.",
            "isolation": "Isolement : les placements sont peu transparents ; nous "
            "convenons de noter la durée et la remise d'une décision écrite.",
            "legal-aid": "Aide juridique : des délais de désignation des avocats pro deo ; "
            "Nansen partage sa liste d'avocats disponibles.",
            "families-children": "Familles : des familles avec enfants à nouveau en unité "
            "familiale ; point sur le contentieux en cours.",
            "use-of-force": "Usage de la force : des menottes pendant des transferts sans "
            "incident ; les cas seront documentés de façon anonyme.",
            "removal-attempts": "Tentatives d'éloignement : des tentatives la nuit, sans que "
            "l'avocat soit prévenu.",
            "living-conditions": "Conditions de vie : chambres surpeuplées dans une aile, "
            "nourriture froide le week-end.",
            "outside-contact": "Contacts avec l'extérieur : peu de cabines et cartes chères.",
        },
    },
    "nl": {
        "opening": "Rondvraag over de bezoeken van de maand in de zes centra.",
        "closing": "Volgende vergadering volgende maand; de vaststellingen worden "
        "meegenomen naar de vergadering met de Dienst Vreemdelingenzaken.",
        "theme": {
            "medical-care": "Medische zorg: de bezoekers melden aanvragen voor een "
            "consultatie die onbeantwoord blijven; Myria stelt voor deze vaststellingen te "
            "vergelijken met de ontvangen klachten.",
            "mental-health": "Geestelijke gezondheid: verschillende mensen in nood na een "
            "verwijderingspoging; weinig psychologische opvolging in de centra.",
            "isolation": "Isolatie: de plaatsingen zijn weinig transparant; we noteren "
            "voortaan de duur en of er een schriftelijke beslissing was.",
            "legal-aid": "Juridische bijstand: pro-Deoadvocaten worden laat aangesteld; "
            "Nansen deelt zijn lijst van beschikbare advocaten.",
            "families-children": "Gezinnen: opnieuw gezinnen met kinderen in de gezinsunits; "
            "stand van zaken van de lopende procedures.",
            "use-of-force": "Gebruik van geweld: handboeien tijdens overbrengingen zonder "
            "incident; de gevallen worden anoniem gedocumenteerd.",
            "removal-attempts": "Verwijderingspogingen: pogingen tijdens de nacht, zonder "
            "dat de advocaat verwittigd werd.",
            "living-conditions": "Leefomstandigheden: overvolle kamers in een vleugel, koud "
            "eten in het weekend.",
            "outside-contact": "Contact met de buitenwereld: weinig telefooncellen en dure "
            "kaarten.",
        },
    },
}
POINTS_RAISED_AT_MOST = 2


def exchange_meetings_in(year: int) -> int:
    """The exchange meetings held in the year (the activity report's figure)."""
    return ExchangeMeeting.objects.filter(date__year=year).count()


def exchange_dates(today: date) -> list[tuple[date, tuple[str, ...]]]:
    """The exchange meetings of 2022 and of the live demo (the current year) up to today,
    with their focus themes: the second Thursday of every month but July and August."""
    from visits.demo import live_window

    start, _end = live_window(today)
    days = []
    for year in [YEAR, *range(max(start.year, YEAR + 1), today.year + 1)]:
        focus = FOCUS_2022 if year == YEAR else FOCUS_LIVE
        for month, themes in zip(EXCHANGE_MONTHS, focus, strict=True):
            first = date(year, month, 1)
            day = first + timedelta(days=(3 - first.weekday()) % 7 + 7)
            if day <= today and (year == YEAR or day >= start):
                days.append((day, themes))
    return days


def seed_exchange_meetings(today: date) -> None:
    if ExchangeMeeting.objects.exists():
        return
    coordinator = User.objects.filter(email=COORDINATOR).first()
    organisations = {o.short_name: o for o in Organisation.objects.all()}
    themes = {theme.code: theme for theme in Theme.objects.all()}
    if coordinator is None or not themes:
        return
    chance = random.Random(f"{SEED}-exchanges")
    points = list(PointOfAttention.objects.values_list("pk", "theme__code", "created_at", "status"))
    closed = _closed_on()
    meetings, attended, focus, raised = [], [], [], []
    for number, (day, codes) in enumerate(exchange_dates(today)):
        language = "fr" if number % 2 == 0 else "nl"
        words = EXCHANGE_NOTES[language]
        present = [short for short in MEMBERS if short in organisations]
        present += [
            short
            for short, (every, at) in PARTNER_ABSENT.items()
            if short in organisations and number % every != at
        ]
        codes = [code for code in codes if code in themes]
        notes = [words["opening"], *(words["theme"][code] for code in codes), words["closing"]]
        meetings.append(
            ExchangeMeeting(
                date=day,
                notes="\n\n".join(notes),
                created_by=coordinator,
                created_at=_at(day, 17),
                updated_at=_at(day + timedelta(days=1), 11),
            )
        )
        attended.append([organisations[short] for short in present])
        focus.append([themes[code] for code in codes])
        current = [
            pk
            for pk, theme, created, _status in points
            if theme in codes
            and timezone.localdate(created) < day
            and (closed.get(pk) is None or closed[pk] > day)
        ]
        raised.append(chance.sample(current, k=min(POINTS_RAISED_AT_MOST, len(current))))
    _create(ExchangeMeeting, meetings)
    for through, rows, column in (
        (ExchangeMeeting.organisations.through, attended, "organisation_id"),
        (ExchangeMeeting.themes.through, focus, "theme_id"),
    ):
        through.objects.bulk_create(
            through(exchangemeeting_id=meeting.pk, **{column: row.pk})
            for meeting, row_list in zip(meetings, rows, strict=True)
            for row in row_list
        )
    Points = ExchangeMeeting.points.through
    Points.objects.bulk_create(
        Points(exchangemeeting_id=meeting.pk, pointofattention_id=pk)
        for meeting, pks in zip(meetings, raised, strict=True)
        for pk in pks
    )


def _closed_on() -> dict[int, date]:
    """The day each resolved or dropped point was closed: its last meeting held."""
    closed = {}
    items = (
        AgendaItem.objects.filter(
            point__status__in=PointOfAttention.CLOSED,
            meeting__status=AuthorityMeeting.Status.HELD,
        )
        .order_by("meeting__date")
        .values_list("point_id", "meeting__date")
    )
    for point, day in items:
        closed[point] = day
    return closed


# --- The witness pool -----------------------------------------------------------------------

# How long a consent runs (issue 12: two years by default).
CONSENT_MONTHS = 24
# A consent about to run out is renewed some days before.
RENEWED_BEFORE_DAYS = (3, 25)
# The one consent that expires within 30 days: so many days from today.
EXPIRING_IN_DAYS = 15
WITHDRAWN_DAYS_AGO = 20
SIGNED, ORAL = Consent.How.SIGNED_FORM, Consent.How.ORAL
ANON, FIRST, NAMED = Anonymity.ANONYMOUS, Anonymity.FIRST_NAME, Anonymity.NAMED


@dataclass(frozen=True)
class WitnessPlan:
    relation: str
    languages: str
    given_on: date | None  # None: EXPIRING_IN_DAYS from today, two years before
    fate: str  # valid, expired, withdrawn, expiring
    scopes: str
    anonymity: str
    how: str
    case_file: bool = False


FD, REL = Relation.FORMER_DETAINEE, Relation.RELATIVE
_W = WitnessPlan
WITNESSES = [
    _W(FD, "fr", date(2022, 2, 10), "valid", "website partners video", ANON, SIGNED, True),
    _W(FD, "nl en", date(2022, 3, 3), "valid", "website partners", FIRST, ORAL),
    _W(FD, "fr en", date(2022, 3, 24), "withdrawn", "website partners press", FIRST, SIGNED),
    _W(REL, "fr", date(2022, 4, 21), "expired", "website partners", ANON, ORAL),
    _W(FD, "en", date(2022, 5, 12), "valid", "website video training", ANON, SIGNED),
    _W(
        Relation.LAWYER, "fr nl", date(2022, 6, 2), "valid", "website press parliament training",
        NAMED, SIGNED,
    ),
    _W(FD, "nl", date(2022, 6, 23), "expired", "partners", ANON, ORAL),
    _W(
        Relation.FORMER_VISITOR, "nl fr", date(2022, 9, 8), "valid",
        "website video press training", NAMED, SIGNED,
    ),
    _W(FD, "fr", date(2022, 10, 6), "valid", "website partners video", FIRST, SIGNED, True),
    _W(REL, "nl", date(2022, 11, 17), "expired", "website", ANON, ORAL),
    _W(FD, "en fr", date(2023, 2, 16), "valid", "website press", ANON, SIGNED),
    _W(FD, "fr", date(2023, 5, 25), "valid", "website partners parliament", ANON, ORAL, True),
    _W(REL, "fr en", date(2023, 9, 21), "valid", "website training", FIRST, SIGNED),
    _W(FD, "nl", date(2024, 3, 14), "valid", "website video", ANON, SIGNED),
    _W(FD, "nl en", date(2024, 6, 13), "valid", "press parliament training", FIRST, ORAL),
    _W(FD, "en", None, "expiring", "website partners", ANON, SIGNED),
    _W(FD, "fr", date(2025, 1, 23), "valid", "website press video", FIRST, SIGNED),
    _W(FD, "fr nl", date(2025, 4, 10), "valid", "website training", ANON, ORAL),
    _W(REL, "en", date(2025, 10, 2), "valid", "website partners press", ANON, SIGNED),
    _W(FD, "fr", date(2025, 11, 20), "valid", "website", ANON, ORAL),
]  # fmt: skip
del FD, REL, _W

STATEMENT = {
    "fr": "Consentement donné oralement lors d'un entretien avec la bénévole du pool de "
    "témoins ; la portée et le degré d'anonymat ont été relus avec le témoin, qui les a "
    "confirmés.",
    "nl": "Mondelinge toestemming gegeven tijdens een gesprek met de vrijwilliger van de "
    "getuigenpool; het bereik en de graad van anonimiteit werden met de getuige overlopen "
    "en bevestigd.",
}

# Testimonies: (title, text) per relation and language. Made up; they name nobody.
TESTIMONIES = {
    Relation.FORMER_DETAINEE: {
        "fr": [
            (
                "Les premières nuits au centre",
                "On m'a arrêté un matin en allant au travail et le soir j'étais au centre. "
                "Personne ne m'a expliqué ce qui allait se passer ni combien de temps je "
                "resterais. Les premières nuits, je ne dormais pas : on entendait des portes et "
                "des pas dans le couloir. Le visiteur est venu le jeudi et m'a expliqué mes "
                "droits. C'est la première fois que quelqu'un m'écoutait.",
            ),
            (
                "Attendre le médecin",
                "J'avais un traitement depuis des années et on me l'a retiré à l'arrivée. J'ai "
                "demandé le médecin tous les jours pendant une semaine. Quand je l'ai vu, il "
                "avait très peu de temps. Je me sentais comme un numéro, pas comme un malade.",
            ),
            (
                "L'isolement",
                "Après une dispute dans la salle commune, on m'a mis seul dans une cellule. "
                "Je n'ai reçu aucun papier et je ne savais pas quand je sortirais. Les heures "
                "passaient sans rien, sans téléphone. Quand je suis sorti, j'avais peur de "
                "parler à quelqu'un.",
            ),
            (
                "Un vol annoncé la nuit",
                "Ils sont venus me chercher à quatre heures du matin pour l'aéroport. Mon "
                "avocat n'était pas prévenu. J'ai refusé de monter dans l'avion et on m'a "
                "ramené au centre, menotté. Depuis, je me réveille chaque nuit au moindre bruit.",
            ),
            (
                "Après la libération",
                "Quand on m'a libéré, j'avais seulement un papier et un ticket de train. "
                "Pendant ces mois, j'avais perdu ma chambre et mon travail. Aujourd'hui, je "
                "veux que les gens sachent que ces centres existent, et qui on y enferme.",
            ),
        ],
        "nl": [
            (
                "Wachten zonder einde",
                "Niemand kon me zeggen hoe lang ik zou blijven. Elke week hoopte ik op nieuws, "
                "elke week was er niets. De bezoekers waren de enigen die de tijd namen om "
                "uit te leggen wat er gebeurde. Zonder hen had ik het opgegeven.",
            ),
            (
                "Bellen naar huis",
                "In het centrum kon ik maar af en toe bellen en de kaarten waren duur. Mijn "
                "kinderen wisten wekenlang niet waar ik was. Ik heb een brief geschreven, maar "
                "ik weet niet of die ooit is aangekomen. Het ergste was de stilte.",
            ),
            (
                "Geboeid in de bus",
                "Bij de overbrenging naar een ander centrum bleef ik de hele rit geboeid. Ik "
                "had niets gedaan en vroeg waarom, maar niemand antwoordde. Ik schaamde me "
                "tegenover de anderen in de bus. Die dag vergeet ik nooit.",
            ),
            (
                "Een advocaat die ik nooit zag",
                "Ik kreeg te horen dat ik een advocaat had, maar ik heb hem nooit gezien. Ik "
                "belde vaak naar het nummer en niemand nam op. De termijn voor mijn beroep "
                "liep bijna af en ik begreep de papieren niet. Een bezoeker hielp me op tijd "
                "een andere advocaat te vinden.",
            ),
        ],
    },
    Relation.RELATIVE: {
        "fr": [
            (
                "De l'autre côté de la vitre",
                "Pendant deux mois, je suis allée au centre chaque semaine avec les enfants. "
                "Il fallait réserver la visite longtemps à l'avance et elle durait une heure. "
                "Les enfants demandaient pourquoi leur père était en prison alors qu'il n'avait "
                "rien fait. Je n'avais pas de réponse à leur donner.",
            ),
            (
                "Attendre un appel",
                "Chaque soir, nous attendions un appel du centre. Parfois il venait, parfois "
                "pas pendant des jours. Nous ne savions pas s'il était malade ou déjà "
                "renvoyé. Ne pas savoir était le plus dur pour toute la famille.",
            ),
        ],
        "nl": [
            (
                "Een gezin uit elkaar",
                "Op een ochtend werd hij opgepakt en wij bleven alleen achter. De kinderen "
                "begrepen niet waarom hij niet thuiskwam. Ik moest alles zelf regelen, zonder "
                "te weten of hij ooit zou terugkomen. Het heeft ons gezin veranderd.",
            ),
            (
                "Wachten op een telefoontje",
                "Elke avond wachtten we op een telefoontje uit het centrum. Soms kwam het, "
                "soms dagenlang niet. We wisten niet of hij ziek was of al teruggestuurd. "
                "Niet weten was het moeilijkste voor het hele gezin.",
            ),
        ],
    },
    Relation.LAWYER: {
        "fr": [
            (
                "Plaider contre la montre",
                "En détention, le délai de recours est de dix jours et la décision arrive "
                "souvent un vendredi soir. Je reçois le dossier incomplet et je dois voir mon "
                "client au centre, loin du cabinet. Le juge contrôle la légalité, pas la "
                "proportionnalité. Sans les visiteur·euse·s, beaucoup de personnes n'auraient "
                "jamais d'avocat à temps.",
            ),
        ],
    },
    Relation.FORMER_VISITOR: {
        "nl": [
            (
                "Vijftien jaar bezoeken",
                "Vijftien jaar lang ging ik elke week naar de gesloten centra. Ik zag mensen "
                "die niets misdaan hadden, maar wel alles verloren. Het belangrijkste was "
                "luisteren, ook als ik niets kon oplossen. Ik vertel dit zodat meer mensen "
                "weten wat er achter die muren gebeurt.",
            ),
        ],
        "fr": [
            (
                "Ce que les visites m'ont appris",
                "Au début, je pensais apporter surtout des informations juridiques. J'ai "
                "compris que ma présence comptait autant : quelqu'un de l'extérieur qui "
                "écoute et qui revient. Les personnes détenues se souviennent de chaque "
                "promesse tenue, et de chaque promesse oubliée.",
            ),
        ],
    },
}

# Where the testimonies were used: (scope, publication, link, day or None for a day of
# the current year, witnesses by number (1-based) in WITNESSES).
USES = [
    (
        "website",
        "Site de la coalition — Témoignages",
        "https://movecoalition.example.org/temoignages/",
        None,
    ),
    (
        "partners",
        "PICUM — livret de témoignages sur la détention",
        "https://picum.example.org/livret-temoignages",
        date(2022, 11, 15),
    ),
    (
        "video",
        "Vidéos de sensibilisation de Move (série de huit)",
        "https://movecoalition.example.org/videos/",
        date(2023, 2, 9),
    ),
    (
        "press",
        "Article de presse — quotidien, interview",
        "https://journal.example.org/detention-administrative",
        None,
    ),
    ("parliament", "Audition en commission de l'Intérieur de la Chambre", "", None),
    ("training", "Formation des nouveaux visiteur·euse·s", "", None),
]


@dataclass
class _Witness:
    plan: WitnessPlan
    number: int
    witness: Witness
    consents: list[Consent] = field(default_factory=list)
    testimonies: list[Testimony] = field(default_factory=list)


def _consent_chain(plan: WitnessPlan, today: date, chance) -> list[tuple[date, date]]:
    """(given on, expires on) of each consent of the witness: the first one, then, for
    those still in the pool, a renewal some days before each expiry until the last runs
    beyond the next 30 days; the expiring one runs out within them."""
    if plan.fate == "expiring":
        expires = today + timedelta(days=EXPIRING_IN_DAYS)
        return [(add_months(expires, -CONSENT_MONTHS), expires)]
    given = plan.given_on
    if plan.fate == "expired":
        given = min(given, add_months(today, -CONSENT_MONTHS) - timedelta(days=60))
    given = min(given, today - timedelta(days=45))
    chain = [(given, add_months(given, CONSENT_MONTHS))]
    if plan.fate == "expired":
        return chain
    while chain[-1][1] <= today + timedelta(days=31):
        before = chance.randint(*RENEWED_BEFORE_DAYS)
        given = min(chain[-1][1] - timedelta(days=before), today - timedelta(days=2))
        chain.append((given, add_months(given, CONSENT_MONTHS)))
    return chain


def seed_witnesses(today: date) -> None:
    if Witness.objects.exists():
        return
    users = {u.email: u for u in User.objects.filter(email__in=[KEEPER, ADVOCACY, COORDINATOR])}
    keeper = users.get(KEEPER) or users.get(COORDINATOR)
    recorder = users.get(ADVOCACY) or keeper
    if keeper is None:
        return
    chance = random.Random(f"{SEED}-witnesses-{today.isoformat()}")
    pool = [
        _plan_witness(number, plan, today, chance, keeper)
        for number, plan in enumerate(WITNESSES, start=1)
    ]
    _link_case_files(pool, chance)
    pool.sort(key=lambda w: (w.consents[0].given_on, w.number))
    witnesses = [w.witness for w in pool]
    _code(witnesses, "W", lambda witness: timezone.localtime(witness.created_at).year)
    _create(Witness, witnesses)
    consents = []
    for w in pool:
        for consent in w.consents:
            consent.witness = w.witness
            if consent.how == SIGNED:
                consent.form_file = _signed_form(w.witness, consent)
            consents.append(consent)
    _create(Consent, consents)
    testimonies = []
    for w in pool:
        for testimony in w.testimonies:
            testimony.witness = w.witness
            testimonies.append(testimony)
    _create(Testimony, testimonies)
    _record_uses(pool, today, chance, recorder)
    _withdraw([w for w in pool if w.plan.fate == "withdrawn"], today)


def _plan_witness(number: int, plan: WitnessPlan, today: date, chance, keeper) -> _Witness:
    chain = _consent_chain(plan, today, chance)
    first_given = chain[0][0]
    languages = plan.languages.split()
    witness = Witness(
        relation=plan.relation,
        languages=plan.languages,
        name=f"Témoin démo {number:02d}",
        contact=f"+32 470 00 00 {number:02d}, temoin{number:02d}@example.org",
        keeper=keeper,
        notes=_witness_note(languages[0]),
        created_at=_at(first_given, 11),
        updated_at=_at(chain[-1][0], 11),
    )
    planned = _Witness(plan, number, witness)
    for number_in_chain, (given, expires) in enumerate(chain):
        consent = Consent(
            scopes=plan.scopes,
            anonymity=plan.anonymity,
            given_on=given,
            how=plan.how,
            statement=STATEMENT["nl" if languages[0] == "nl" else "fr"] if plan.how == ORAL else "",
            expires_on=expires,
            recorded_by=keeper,
            created_at=_at(given, 15),
        )
        if number_in_chain < len(chain) - 1:
            # The volunteer was reminded 30 days before it expired, then renewed it.
            consent.renewal_reminded_on = expires - timedelta(days=30)
        planned.consents.append(consent)
    planned.testimonies = _testimonies(planned, today, chance)
    return planned


WITNESS_NOTE = {
    "fr": "Rencontré·e par l'intermédiaire des visiteur·euse·s ; préfère être appelé·e "
    "l'après-midi.",
    "nl": "Contact via de bezoekers; liefst 's namiddags bellen.",
}


def _witness_note(language: str) -> str:
    return WITNESS_NOTE["nl" if language == "nl" else "fr"]


def _testimonies(planned: _Witness, today: date, chance) -> list[Testimony]:
    """One or two testimonies in the witness's languages, recorded some weeks after the
    first consent, approved by the witness some days later, usable in the consent's
    scopes (all or most of them)."""
    plan = planned.plan
    first = planned.consents[0]
    texts = TESTIMONIES[plan.relation]
    # Written in French or in Dutch: in the witness's language, or transcribed by the
    # volunteer in one of them.
    languages = [code for code in plan.languages.split() if code in texts]
    languages = languages or [list(texts)[planned.number % len(texts)]]
    count = 2 if plan.relation == Relation.FORMER_DETAINEE and planned.number % 3 != 2 else 1
    testimonies = []
    for n in range(count):
        language = languages[n % len(languages)]
        options = texts[language]
        title, text = options[(planned.number + n) % len(options)]
        recorded = first.given_on + timedelta(days=chance.randint(3, 20) + 60 * n)
        recorded = min(recorded, today - timedelta(days=30 if n == 0 else 10))
        recorded = max(recorded, first.given_on)
        approved = min(recorded + timedelta(days=chance.randint(4, 15)), today - timedelta(days=1))
        scopes = first.scope_list
        if len(scopes) > 2 and n == 1:
            scopes = scopes[:-1]  # a narrower use for the second one
        testimonies.append(
            Testimony(
                title=title,
                text=text,
                language=language,
                recorded_on=recorded,
                approved_on=approved,
                scopes=" ".join(scopes),
                created_at=_at(recorded, 16),
                updated_at=_at(approved, 16),
            )
        )
    return testimonies


def _link_case_files(pool: list[_Witness], chance) -> None:
    """Some former detainees are the people of a demo case file, released before they
    agreed to testify."""
    from detainees.models import DetentionSpell, Person

    ended = dict(
        DetentionSpell.objects.filter(
            end__isnull=False, outcome=DetentionSpell.Outcome.RELEASED
        ).values_list("person_id", "end")
    )
    released = sorted(
        Person.objects.filter(status=Person.Status.RELEASED, pk__in=ended).values_list(
            "pk", flat=True
        )
    )
    for w in pool:
        if not w.plan.case_file:
            continue
        given = w.consents[0].given_on
        before = [pk for pk in released if ended[pk] < given]
        if before:
            person = chance.choice(before)
            w.witness.person_id = person
            released.remove(person)


def _record_uses(pool: list[_Witness], today: date, chance, recorder) -> None:
    """The uses of the testimonies, through services.record_use (which checks the
    consent), each on a day the consent allowed it."""
    from advocacy.services import record_use

    uses = []
    for w in pool:
        for testimony in w.testimonies:
            for scope, publication, link, day in USES:
                if scope not in testimony.scope_list:
                    continue
                if scope in ("parliament", "training") and chance.random() < 0.5:
                    continue
                used_on = _use_day(w, testimony, day, today, chance)
                if used_on is None:
                    continue
                consent = _valid_consent(w, used_on)
                if consent is None or scope not in consent.scope_list:
                    continue
                # A video or a press article: more protective than the consent asks, now and then.
                anonymity = consent.anonymity
                if scope in ("video", "press") and chance.random() < 0.3:
                    anonymity = ANON
                use = record_use(
                    testimony,
                    scope=scope,
                    used_on=used_on,
                    by=recorder,
                    publication=publication,
                    link=link,
                    anonymity=anonymity,
                )
                uses.append(use)
    for use in uses:
        use.created_at = _at(use.used_on, 12)
    Use.objects.bulk_update(uses, ["created_at"])


def _use_day(
    w: _Witness, testimony: Testimony, day: date | None, today: date, chance
) -> date | None:
    """The publication's day, if the testimony was approved by then; else a day between
    its approval and today (the withdrawn witness's, before they withdrew)."""
    last = today - timedelta(days=1)
    if w.plan.fate == "withdrawn":
        last = today - timedelta(days=WITHDRAWN_DAYS_AGO + 7)
    if w.plan.fate == "expired":
        last = min(last, w.consents[-1].expires_on - timedelta(days=1))
    if day is not None:
        return day if testimony.approved_on <= day <= last else None
    first = testimony.approved_on + timedelta(days=7)
    if first > last:
        return None
    return first + timedelta(days=chance.randint(0, min((last - first).days, 400)))


def _valid_consent(w: _Witness, day: date) -> Consent | None:
    valid = [c for c in w.consents if c.valid_on(day)]
    return min(valid, key=lambda c: ANONYMITY_ORDER[c.anonymity]) if valid else None


def _withdraw(pool: list[_Witness], today: date) -> None:
    """As advocacy.witnesses.withdraw records it (without e-mailing anyone: the demo's
    uses were recorded by the demo accounts): the day on the witness and their consents,
    every use still online to take down."""
    day = today - timedelta(days=WITHDRAWN_DAYS_AGO)
    for w in pool:
        Witness.objects.filter(pk=w.witness.pk).update(withdrawn_on=day, updated_at=_at(day, 14))
        Consent.objects.filter(witness=w.witness, withdrawn_on__isnull=True).update(
            withdrawn_on=day
        )
        Use.objects.filter(testimony__witness=w.witness, status=Use.Status.ONLINE).update(
            status=Use.Status.TO_TAKE_DOWN
        )


def _signed_form(witness: Witness, consent: Consent) -> str:
    """A small PDF standing for the signed form, under a name of its own (a second run of
    the tests writes the same file again instead of adding one)."""
    from legal import library_files
    from legal.demo_library import pdf_with_line

    name = f"advocacy/consents/demo-{witness.code}-{consent.given_on.isoformat()}.pdf"
    library_files.write_bytes(
        name, pdf_with_line(f"Formulaire de consentement (demo) {witness.code} {consent.given_on}")
    )
    return name


# --- Helpers --------------------------------------------------------------------------------


def _code(rows, prefix: str, year_of) -> None:
    """<prefix>-<year>-NNNN in the order given, after the codes already given out that
    year; the next one created in the application gets the code after the demo's."""
    from detainees.models import CodeSequence

    model = type(rows[0]) if rows else None
    counters: dict[int, int] = {}
    for row in rows:
        year = year_of(row)
        if year not in counters:
            used = model.objects.filter(code__startswith=f"{prefix}-{year}-")
            numbers = [int(code.rsplit("-", 1)[1]) for code in used.values_list("code", flat=True)]
            sequence = CodeSequence.objects.filter(prefix=prefix, year=year)
            counters[year] = max([*numbers, *sequence.values_list("last", flat=True)], default=0)
        counters[year] += 1
        row.code = f"{prefix}-{year}-{counters[year]:04d}"
    for year, last in counters.items():
        CodeSequence.objects.get_or_create(prefix=prefix, year=year, defaults={"last": last})
        CodeSequence.objects.filter(prefix=prefix, year=year).update(
            last=Greatest("last", Value(last))
        )


def _create(model, rows, dated=("created_at", "updated_at")) -> None:
    """Bulk-inserted with the moments they were written (bulk_create stamps now)."""
    if not rows:
        return
    dated = [name for name in dated if hasattr(rows[0], name)]
    moments = [[getattr(row, name) for name in dated] for row in rows]
    model.objects.bulk_create(rows)
    for row, values in zip(rows, moments, strict=True):
        for name, value in zip(dated, values, strict=True):
            setattr(row, name, value)
    model.objects.bulk_update(rows, dated)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at that hour, Brussels time."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- Seeding --------------------------------------------------------------------------------


def seed_advocacy() -> None:
    """Called by `manage.py seed_demo` after the legal library; idempotent."""
    today = timezone.localdate()
    with disable_auditlog():
        seed_points_and_meetings(today)
        seed_exchange_meetings(today)
        seed_witnesses(today)
