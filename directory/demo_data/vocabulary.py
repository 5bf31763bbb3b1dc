"""Words the demo data is made of. Plain ASCII names so every username is URL-safe."""

FIRST_NAMES = (
    "Aaliyah", "Aaron", "Abigail", "Adam", "Aisha", "Alex", "Alice", "Amara", "Amelia",
    "Andre", "Anna", "Arjun", "Ava", "Ben", "Bianca", "Caleb", "Carlos", "Chloe", "Chris",
    "Daniel", "Diego", "Elena", "Eli", "Emma", "Ethan", "Fatima", "Finn", "Freya", "Gabriel",
    "Grace", "Hana", "Harry", "Isla", "Ivan", "Jack", "Jade", "James", "Jasmine", "Jon",
    "Julia", "Kai", "Kate", "Kenji", "Laura", "Leo", "Lily", "Lucas", "Maya", "Mei", "Mia",
    "Mohammed", "Nadia", "Noah", "Nora", "Oliver", "Olivia", "Omar", "Priya", "Rachel",
    "Ravi", "Rosa", "Ruby", "Sam", "Sara", "Sean", "Sofia", "Tom", "Yusuf", "Zara", "Zoe",
)  # fmt: skip

LAST_NAMES = (
    "Adams", "Ahmed", "Anderson", "Baker", "Bennett", "Brown", "Campbell", "Chen", "Clarke",
    "Cohen", "Davies", "Diaz", "Edwards", "Evans", "Fischer", "Garcia", "Green", "Hall",
    "Harris", "Hughes", "Ito", "Jackson", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "Kim",
    "King", "Lee", "Lewis", "Lopez", "Martin", "Mendes", "Miller", "Moore", "Murphy",
    "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Roberts", "Robinson", "Rossi", "Santos",
    "Schmidt", "Scott", "Silva", "Singh", "Smith", "Taylor", "Thomas", "Turner", "Walker",
    "Wang", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
)  # fmt: skip

STREETS = (
    "High Street", "Station Road", "Church Lane", "Market Street", "Park Avenue", "Mill Lane",
    "King Street", "Queen Street", "Victoria Road", "Broadway", "Main Street", "Oak Avenue",
    "Maple Drive", "Sunset Boulevard", "Riverside Walk", "Harbour Road", "Elm Street",
    "Cedar Lane", "Chapel Street", "Bridge Street", "Grove Road", "Hill Street",
    "Mercer Street", "Canal Street", "Orchard Way", "Albion Street", "Wharf Road",
    "Meadow Close", "Union Street", "Garden Terrace",
)  # fmt: skip

STUDIO_WORDS = (
    "Blue Room", "Northern", "Golden Ear", "Quiet Fox", "Red Light", "Soundwave", "Echo Park",
    "Silverline", "Bright Signal", "Cabin", "Loft", "Attic", "Harbour", "Velvet", "Cedar",
    "Paper Moon", "Lighthouse", "Open Mic", "Wildtrack", "Pinewood", "Foxglove", "Low Hum",
    "Warm Valve", "Dead Room", "Clear Take", "First Take", "Long Wave", "Short Wave",
    "Nightingale", "Copper Wire", "Greenroom", "Kestrel", "Marble Arch", "Twin Peaks",
)  # fmt: skip

STUDIO_KINDS = (
    "Studios", "Studio", "Audio", "Sound", "Voice Studio", "Recording", "Booth",
    "Productions", "Post", "Media",
)  # fmt: skip

MICROPHONES = (
    "Neumann U87", "Neumann TLM 103", "Sennheiser MKH 416", "AKG C414", "Rode NT1",
    "Shure SM7B", "Audio-Technica AT4040", "Schoeps CMC 6",
)  # fmt: skip
INTERFACES = (
    "Apollo Twin", "Focusrite Scarlett 2i2", "RME Babyface Pro", "SSL 2+", "Audient iD14",
    "Universal Audio Volt 276",
)  # fmt: skip
BOOTHS = (
    "a treated 2 m x 2 m booth", "a Studiobricks vocal booth", "a floated live room",
    "a WhisperRoom booth", "a treated walk-in wardrobe", "two isolated booths and a control room",
)  # fmt: skip

STUDIO_PITCHES = (
    "Broadcast-quality voiceover recording with remote direction.",
    "Commercials, e-learning, audiobooks and games: clean takes, quick turnaround.",
    "A quiet, comfortable space for long narration sessions.",
    "Remote sessions with producers anywhere in the world.",
    "Friendly engineers, good coffee and a booth that sounds like nothing at all.",
    "Podcast production from first idea to published episode.",
    "Coaching for new voices and showreel production.",
    "Editing, cleaning and mastering of dialogue to broadcast specs.",
)  # fmt: skip

ABOUT_LINES = (
    "Voice artist for commercials, documentaries and corporate films.",
    "Audiobook narrator with a warm, natural read.",
    "Character voices for games and animation.",
    "Bilingual voiceover, happy to record in two languages.",
    "Producer and engineer; I record, edit and master.",
    "Podcast host looking for good rooms on the road.",
    "Casting director booking remote sessions every week.",
    "E-learning narrator: clear, friendly and consistent.",
)  # fmt: skip

REVIEW_TEXTS = {
    5: (
        "Fantastic session, the booth is dead quiet and the engineer knew exactly what we needed.",
        "Best remote session I've had: Source-Connect was rock solid and the takes were spotless.",
        "Lovely studio, great mic chain and very easy to work with. Will book again.",
    ),
    4: (
        "Very good sound and a friendly owner. Parking was a bit tricky.",
        "Clean recordings and fair rates; the session started a little late.",
        "Great booth, good gear. Would have liked more time for pickups.",
    ),
    3: (
        "Decent room, some traffic noise in the afternoon takes.",
        "OK for the price. The headphones could do with replacing.",
    ),
    2: (
        "The booth was fine but the connection dropped twice during the session.",
        "Not the quietest room; we had to redo several takes.",
    ),
    1: (
        "Session was cancelled at short notice and it took weeks to get a refund.",
        "Noisy room and the files arrived late.",
    ),
}

RESPONSE_TEXTS = (
    "Thank you so much! It was a pleasure working with you.",
    "Thanks for the kind words, see you next time.",
    "Thanks for the feedback. We've since fixed the issue you mention.",
    "Sorry to hear that. Please get in touch so we can put it right.",
)  # fmt: skip

MESSAGE_SUBJECTS = (
    "Booking enquiry",
    "Availability next week?",
    "Remote session with a producer in another city",
    "Audiobook recording",
    "Rates for a half-day session",
    "Podcast recording",
)  # fmt: skip

MESSAGE_OPENERS = (
    "Hello, is the booth free next Tuesday morning for a two-hour session?",
    "Hi! Do you support Source-Connect? Our producer is in another time zone.",
    "Hello, I'm narrating an audiobook of about ten hours. Could we book a few days?",
    "Hi there, what are your rates for a half-day with an engineer?",
    "Hello, we'd like to record a podcast with two guests. Is the room big enough?",
)  # fmt: skip

MESSAGE_REPLIES = (
    "Yes, that works for us. I'll pencil you in.",
    "Thanks for getting in touch. We're free on Wednesday instead, would that suit?",
    "Sure, we support Source-Connect, Cleanfeed and Zoom.",
    "Our half-day rate includes the engineer and a first edit.",
    "Great, see you then!",
    "Could you send the script beforehand so we can prepare?",
)  # fmt: skip

SAVED_SEARCH_NAMES = (
    "Booths near me", "Source-Connect studios", "Podcast rooms", "Weekend sessions",
    "Premium studios", "Home studios for pickups",
)  # fmt: skip

FAQ = (
    (
        "What is Studio Finder?",
        "A directory and community of recording studios and voiceover artists. Search "
        "studios by location, type and connection method, read reviews, and message owners.",
    ),
    (
        "Is it free to list a studio?",
        "Yes. A basic listing is free. A premium listing puts your studio first in search "
        "results and on the map for a year.",
    ),
    (
        "How do I find a studio near me?",
        "Search by city or address and pick a radius; the map shows every studio with "
        "coordinates. Filter by studio type or by services such as Source-Connect or ISDN.",
    ),
    (
        "What do the connection methods mean?",
        "They are the ways a studio can be directed remotely: ISDN, Source-Connect, "
        "Source-Connect Now, Cleanfeed, SessionLinkPRO, Zoom, Skype and Teams.",
    ),
    (
        "How are reviews moderated?",
        "Every review is checked by a moderator before it appears. Owners cannot review "
        "their own studio, and each person can review a studio once.",
    ),
    (
        "Can I reply to a review of my studio?",
        "Yes, once per review. Your reply appears under the review on your studio page.",
    ),
    (
        "How do I contact a studio owner?",
        "Use the message button on the studio page. You'll get a notification when they "
        "reply, and an email if you're not online.",
    ),
    (
        "What does verified mean?",
        "A moderator has checked the studio's details and that the owner runs it.",
    ),
    (
        "How do I cancel my premium listing?",
        "Open Billing in your dashboard and manage your subscription; the listing stays "
        "premium until the end of the paid year.",
    ),
    (
        "How do I report a problem?",
        "Use the report link on any profile, studio or review. A moderator will look at it.",
    ),
)
