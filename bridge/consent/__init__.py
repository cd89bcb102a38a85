"""Marketing consent: suppress marketing mail to customers who opted out."""
