"""The patient (就诊人) dialogue: binding a patient with consent and an SMS code, and listing,
switching and removing patients.

Modules: `parsing` (pure reading of answers), `replies` (which domain response answers which
error), `choices` (buttons and list lines), `tracking` (what the latest message says),
`binding` (the binding form's validation), `sending` (texting the one-time code),
`completion` (after the binding form), `management` (list and switch), `removal` (the removal
form and the removal itself). Every word a resident reads is a response in
`bot/domain/patients.yml`; ID and phone numbers only ever travel as vault tokens.
"""
