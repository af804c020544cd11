package search

// seedPath is a real Isomer page (a tiptap HTML body) shared by the project.
const seedPath = "/work/shared/seed/our-digital-government-efforts.md"
