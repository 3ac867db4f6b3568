"""The running bot: the Application, its Services, the jobs and the one lifecycle."""
