package catalogue

// SectionIdentifiers is the glossary's part for the identifiers the pages show in place of
// people.
const SectionIdentifiers Section = "Users and identifiers"

// IDBloodHash is the glossary entry of the blood hash.
const IDBloodHash = "blood-hash"

func init() {
	declare(&Metric{ID: IDBloodHash, Section: SectionIdentifiers, Name: "Blood hash",
		Definition: "A user's public identifier in Mari: 16 hexadecimal characters (such as 3f9a0c12d4e5b678), given to each user when they sign up and unique to them. Pages, CSV downloads and the API show a sender or recipient by their blood hash, so one person can be followed from the bank page's top recipients to their transactions and to the API's user endpoints without showing who they are: the phone number is kept only as a hash and is never shown, nor is the device key.",
		Formula:    "users.blood_hash (VARCHAR(16), unique)",
		Source:     "PostgreSQL users.blood_hash",
		Unit:       Concept})
}
